# Object store benchmark (bench/storage): its own cluster's MinIO, Azurite and fake-gcs-server;
# 256 MiB (BENCH_STORAGE_MB) up and down through our stores and through each SDK's plain calls,
# medians of BENCH_RUNS (5), alternating who goes first; a last line of JSON with the ratios.
.PHONY: bench-storage

bench-storage: build cluster-tools
	tsx bench/storage/main.ts
