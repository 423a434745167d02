# File-system volume backup benchmark (bench/volumes): its own cluster with a node and MinIO, a pod
# volume of BENCH_VOLUME_MB (default 1024) MiB of mixed data; prints the floor (kubectl exec tar |
# zstd), our backup's throughput, the ratio, the second backup's uploaded fraction after a 1%
# change, and a last line of JSON.
.PHONY: bench-volumes

bench-volumes: build cluster-tools
	tsx bench/volumes/main.ts
