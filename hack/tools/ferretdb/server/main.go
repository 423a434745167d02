// ferretdb-server: FerretDB v1 on its SQLite backend through FerretDB's embeddable package, the way
// the harness's `ferretdb` image runs it. A program of our own rather than FerretDB's cmd/ferretdb:
// that one refuses to start unless built from FerretDB's own repository (build/version/version.txt).
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", ":27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "file:/state/", "SQLite URI of the directory holding one file per database")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		logger.Error("cannot start FerretDB", "error", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Info("FerretDB listening", "addr", *listen, "sqlite", *sqliteURL)
	if err := f.Run(ctx); err != nil {
		logger.Error("FerretDB stopped", "error", err)
		os.Exit(1)
	}
}
