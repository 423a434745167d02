# Head to head with a stock Velero server (bench/vs-velero): the same cluster, the same 10,000
# ConfigMaps/Secrets in 100 namespaces, each tool with its defaults; backup, and restore of the same
# Velero-made backup into namespaces emptied just before. Last line: one JSON object of figures.
# BENCH_OBJECTS / BENCH_NAMESPACES change the size. Takes ~10 minutes (Velero's restore is most of it).
.PHONY: bench-vs-velero

bench-vs-velero: build cluster-tools velero-tools
	tsx bench/vs-velero/main.ts
