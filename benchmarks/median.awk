# median.awk: one JSON record from repeated samples (one number per line).
# Variables: bench, variant, cfg (the configuration string), unit, extra
# (more JSON fields, starting with ", "), load.  Used by benchmarks/run and
# device-run.sh for the runs of sample programs (halo2d, halo3d-offload).
NF && $1 ~ /^[0-9.eE+-]+$/ { x[++k] = $1 + 0 }
END {
    if (!k) exit
    for (i = 2; i <= k; i++)
        for (j = i; j > 1 && x[j - 1] > x[j]; j--) { y = x[j]; x[j] = x[j - 1]; x[j - 1] = y }
    med = k % 2 ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
    printf "{\"bench\": \"%s\", \"variant\": \"%s\", \"param\": \"config\", \"value\": \"%s\", " \
           "\"unit\": \"%s\", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"reps\": %d, " \
           "\"load\": %s%s}\n", bench, variant, cfg, unit, med, x[1], x[k], k, load, extra
}
