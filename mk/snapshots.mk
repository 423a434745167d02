# CSI snapshot benchmark (bench/snapshots): its own cluster with a node, the harness's CSI driver and
# MinIO, a claim of BENCH_VOLUME_MB (default 1024) MiB of mixed data; prints the time to a
# ReadyToUse snapshot, the floor of bench-volumes (kubectl exec tar | zstd), the --snapshot-move-data
# throughput, the ratio, and a last line of JSON.
.PHONY: bench-snapshots

bench-snapshots: build cluster-tools csi-tools
	tsx bench/snapshots/main.ts
