// csi-hostpath: a small host-path CSI driver for the harness's local clusters (`hack/cluster up
// --csi`). Volumes are directories under a state dir, snapshots are copies of them, and a node
// publishes a volume by bind-mounting its directory at the kubelet's target path. One process
// serves the Identity, Controller and Node services on one unix socket, and the kubelet's plugin
// registration API on another (what node-driver-registrar does beside other drivers).
//
// It is written for this project: the upstream host-path driver and node-driver-registrar are not
// available to build here. Everything it knows is kept under --state-dir, so a restart keeps every
// volume and snapshot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// The version of this driver (reported by GetPluginInfo).
const driverVersion = "0.1.0"

func main() {
	endpoint := flag.String("endpoint", "", "unix socket (path or unix://path) to serve the CSI services on")
	stateDir := flag.String("state-dir", "", "directory holding the volumes, snapshots and their metadata")
	nodeID := flag.String("node-id", "", "the node's name (NodeGetInfo)")
	driverName := flag.String("driver-name", "hostpath.csi.k8s.io", "the CSI driver name")
	registration := flag.String("registration-socket", "", "unix socket for the kubelet's plugin registration (in <kubelet root>/plugins_registry/); none when empty")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if *endpoint == "" || *stateDir == "" || *nodeID == "" {
		fmt.Fprintln(os.Stderr, "usage: csi-hostpath --endpoint SOCKET --state-dir DIR --node-id NODE [--registration-socket SOCKET] [--driver-name NAME]")
		os.Exit(2)
	}
	if err := run(*endpoint, *stateDir, *nodeID, *driverName, *registration); err != nil {
		log.Fatalf("csi-hostpath: %v", err)
	}
}

func run(endpoint, stateDir, nodeID, driverName, registration string) error {
	csiSocket := strings.TrimPrefix(endpoint, "unix://")
	store, err := openStore(stateDir)
	if err != nil {
		return err
	}
	d := &driver{name: driverName, nodeID: nodeID, store: store}

	csiServer := grpc.NewServer(grpc.UnaryInterceptor(logCalls))
	csi.RegisterIdentityServer(csiServer, &identity{d: d})
	csi.RegisterControllerServer(csiServer, &controller{d: d})
	csi.RegisterNodeServer(csiServer, &node{d: d})
	csiListener, err := listenUnix(csiSocket)
	if err != nil {
		return err
	}
	errs := make(chan error, 2)
	go func() { errs <- csiServer.Serve(csiListener) }()
	log.Printf("driver %s %s serving CSI on %s, state in %s, node %s", driverName, driverVersion, csiSocket, stateDir, nodeID)

	// Registration last: the kubelet calls NodeGetInfo on the CSI socket as soon as it sees this one.
	var regServer *grpc.Server
	if registration != "" {
		regServer = grpc.NewServer(grpc.UnaryInterceptor(logCalls))
		registerapi.RegisterRegistrationServer(regServer, &registrar{name: driverName, endpoint: csiSocket})
		regListener, err := listenUnix(registration)
		if err != nil {
			csiServer.Stop()
			return err
		}
		go func() { errs <- regServer.Serve(regListener) }()
		log.Printf("plugin registration on %s", registration)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	var serveErr error
	select {
	case sig := <-signals:
		log.Printf("%s: stopping", sig)
	case serveErr = <-errs:
	}
	// The registration socket goes first, so the kubelet drops the plugin before its socket does.
	if regServer != nil {
		stopServer(regServer)
		_ = os.Remove(registration)
	}
	stopServer(csiServer)
	_ = os.Remove(csiSocket)
	return serveErr
}

// listenUnix listens on a fresh unix socket at path (a stale one from a killed run is replaced).
func listenUnix(path string) (net.Listener, error) {
	if len(path) > 107 {
		return nil, fmt.Errorf("unix socket path %s is %d bytes long: at most 107 fit", path, len(path))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// stopServer lets calls in flight finish for a few seconds, then cuts them.
func stopServer(s *grpc.Server) {
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.Stop()
	}
}

// logCalls logs every call but the frequent probes, with how long it took and how it ended.
func logCalls(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	started := time.Now()
	resp, err := handler(ctx, req)
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	quiet := method == "Probe" || method == "GetPluginInfo" || method == "GetPluginCapabilities" || method == "ControllerGetCapabilities" || method == "NodeGetCapabilities" || method == "NodeGetVolumeStats"
	if err != nil {
		log.Printf("%s failed after %v: %v", method, time.Since(started).Round(time.Millisecond), status.Convert(err).Message())
	} else if !quiet {
		log.Printf("%s ok in %v: %s", method, time.Since(started).Round(time.Millisecond), describe(req))
	}
	return resp, err
}

// describe names what a request is about, for the log (never the secrets some requests carry).
func describe(req any) string {
	switch r := req.(type) {
	case *csi.CreateVolumeRequest:
		return fmt.Sprintf("name=%s source=%v", r.GetName(), r.GetVolumeContentSource())
	case *csi.DeleteVolumeRequest:
		return "volume=" + r.GetVolumeId()
	case *csi.CreateSnapshotRequest:
		return fmt.Sprintf("name=%s volume=%s", r.GetName(), r.GetSourceVolumeId())
	case *csi.DeleteSnapshotRequest:
		return "snapshot=" + r.GetSnapshotId()
	case *csi.ListSnapshotsRequest:
		return fmt.Sprintf("snapshot=%q volume=%q", r.GetSnapshotId(), r.GetSourceVolumeId())
	case *csi.NodePublishVolumeRequest:
		return fmt.Sprintf("volume=%s target=%s readonly=%v", r.GetVolumeId(), r.GetTargetPath(), r.GetReadonly())
	case *csi.NodeUnpublishVolumeRequest:
		return fmt.Sprintf("volume=%s target=%s", r.GetVolumeId(), r.GetTargetPath())
	case *registerapi.RegistrationStatus:
		return fmt.Sprintf("registered=%v %s", r.GetPluginRegistered(), r.GetError())
	}
	return ""
}

// driver is what the three CSI services share.
type driver struct {
	name   string
	nodeID string
	store  *store
}

// registrar answers the kubelet's plugin watcher (k8s.io/kubelet/pkg/apis/pluginregistration/v1).
type registrar struct {
	registerapi.UnimplementedRegistrationServer
	name     string
	endpoint string
}

func (r *registrar) GetInfo(context.Context, *registerapi.InfoRequest) (*registerapi.PluginInfo, error) {
	return &registerapi.PluginInfo{Type: registerapi.CSIPlugin, Name: r.name, Endpoint: r.endpoint, SupportedVersions: []string{"1.0.0"}}, nil
}

func (r *registrar) NotifyRegistrationStatus(_ context.Context, s *registerapi.RegistrationStatus) (*registerapi.RegistrationStatusResponse, error) {
	if !s.GetPluginRegistered() {
		log.Printf("the kubelet refused the plugin: %s", s.GetError())
	}
	return &registerapi.RegistrationStatusResponse{}, nil
}
