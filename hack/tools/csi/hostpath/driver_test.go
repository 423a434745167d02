package main

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var fsCaps = []*csi.VolumeCapability{{
	AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
	AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER},
}}

func newController(t *testing.T, dir string) *controller {
	t.Helper()
	s, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &controller{d: &driver{name: "hostpath.csi.k8s.io", nodeID: "n", store: s}}
}

func mustCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("want %v, got %v", code, err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVolumesSnapshotsRestoreClone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := newController(t, dir)
	s := c.d.store

	v1, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}})
	if err != nil || again.Volume.VolumeId != v1.Volume.VolumeId {
		t.Fatalf("CreateVolume is not idempotent: %v %v", again, err)
	}
	_, err = c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 20}})
	mustCode(t, err, codes.AlreadyExists)
	_, err = c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "blk", VolumeCapabilities: []*csi.VolumeCapability{{AccessType: &csi.VolumeCapability_Block{Block: &csi.VolumeCapability_BlockVolume{}}, AccessMode: fsCaps[0].AccessMode}}})
	mustCode(t, err, codes.InvalidArgument)

	id := v1.Volume.VolumeId
	vdir := s.volumePath(id)
	if err := os.WriteFile(filepath.Join(vdir, "data.txt"), []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(vdir, "sub"), 0o705); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../data.txt", filepath.Join(vdir, "sub", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(vdir, "data.txt"), filepath.Join(vdir, "sub", "hard")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(vdir, "data.txt"), 1234, 5678); err != nil {
		t.Fatal(err)
	}

	snap, err := c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-1", SourceVolumeId: id})
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Snapshot.ReadyToUse || snap.Snapshot.SizeBytes != 1<<20 || snap.Snapshot.CreationTime == nil || snap.Snapshot.SourceVolumeId != id {
		t.Fatalf("snapshot: %v", snap.Snapshot)
	}
	snapAgain, err := c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-1", SourceVolumeId: id})
	if err != nil || snapAgain.Snapshot.SnapshotId != snap.Snapshot.SnapshotId {
		t.Fatalf("CreateSnapshot is not idempotent: %v %v", snapAgain, err)
	}
	_, err = c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-x", SourceVolumeId: "nope"})
	mustCode(t, err, codes.NotFound)

	if err := os.WriteFile(filepath.Join(vdir, "data.txt"), []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}

	src := &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: snap.Snapshot.SnapshotId}}}
	_, err = c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "small", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 10}, VolumeContentSource: src})
	mustCode(t, err, codes.OutOfRange)
	restored, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-2", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}, VolumeContentSource: src})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Volume.ContentSource.GetSnapshot().GetSnapshotId() != snap.Snapshot.SnapshotId {
		t.Fatalf("content source not echoed: %v", restored.Volume)
	}
	rdir := s.volumePath(restored.Volume.VolumeId)
	if got := read(t, filepath.Join(rdir, "data.txt")); got != "old" {
		t.Fatalf("restored %q, want old", got)
	}
	if got := read(t, filepath.Join(rdir, "sub", "link")); got != "old" {
		t.Fatalf("symlink gives %q", got)
	}
	var a, b syscall.Stat_t
	_ = syscall.Stat(filepath.Join(rdir, "data.txt"), &a)
	_ = syscall.Stat(filepath.Join(rdir, "sub", "hard"), &b)
	if a.Ino != b.Ino || a.Uid != 1234 || a.Gid != 5678 || a.Mode&0o7777 != 0o640 {
		t.Fatalf("attributes not kept: ino %d/%d uid %d gid %d mode %o", a.Ino, b.Ino, a.Uid, a.Gid, a.Mode&0o7777)
	}
	if fi, _ := os.Stat(filepath.Join(rdir, "sub")); fi.Mode().Perm() != 0o705 {
		t.Fatalf("dir mode %v", fi.Mode())
	}

	clone, err := c.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-3", VolumeCapabilities: fsCaps, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20},
		VolumeContentSource: &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Volume{Volume: &csi.VolumeContentSource_VolumeSource{VolumeId: id}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(s.volumePath(clone.Volume.VolumeId), "data.txt")); got != "new" {
		t.Fatalf("clone has %q, want new", got)
	}

	// A second snapshot, of the clone; then the lists.
	snap2, err := c.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-2", SourceVolumeId: clone.Volume.VolumeId})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{SnapshotId: snap.Snapshot.SnapshotId})
	if err != nil || len(list.Entries) != 1 || list.Entries[0].Snapshot.SourceVolumeId != id {
		t.Fatalf("by id: %v %v", list, err)
	}
	list, err = c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{SourceVolumeId: clone.Volume.VolumeId})
	if err != nil || len(list.Entries) != 1 || list.Entries[0].Snapshot.SnapshotId != snap2.Snapshot.SnapshotId {
		t.Fatalf("by volume: %v %v", list, err)
	}
	list, err = c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{SnapshotId: "unknown"})
	if err != nil || len(list.Entries) != 0 {
		t.Fatalf("unknown id: %v %v", list, err)
	}
	page, err := c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{MaxEntries: 1})
	if err != nil || len(page.Entries) != 1 || page.NextToken == "" {
		t.Fatalf("page 1: %v %v", page, err)
	}
	page2, err := c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{MaxEntries: 1, StartingToken: page.NextToken})
	if err != nil || len(page2.Entries) != 1 || page2.NextToken != "" || page2.Entries[0].Snapshot.SnapshotId == page.Entries[0].Snapshot.SnapshotId {
		t.Fatalf("page 2: %v %v", page2, err)
	}
	_, err = c.ListSnapshots(ctx, &csi.ListSnapshotsRequest{StartingToken: "x"})
	mustCode(t, err, codes.Aborted)

	// A restart keeps everything.
	c2 := newController(t, dir)
	if len(c2.d.store.volumes) != 3 || len(c2.d.store.snapshots) != 2 {
		t.Fatalf("after restart: %d volumes, %d snapshots", len(c2.d.store.volumes), len(c2.d.store.snapshots))
	}

	if _, err := c2.DeleteSnapshot(ctx, &csi.DeleteSnapshotRequest{SnapshotId: snap.Snapshot.SnapshotId}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c2.d.store.snapshotPath(snap.Snapshot.SnapshotId)); !os.IsNotExist(err) {
		t.Fatalf("snapshot data left: %v", err)
	}
	if _, err := c2.DeleteSnapshot(ctx, &csi.DeleteSnapshotRequest{SnapshotId: snap.Snapshot.SnapshotId}); err != nil {
		t.Fatalf("second DeleteSnapshot: %v", err)
	}
	if _, err := c2.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vdir); !os.IsNotExist(err) {
		t.Fatalf("volume data left: %v", err)
	}
	if _, err := c2.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: id}); err != nil {
		t.Fatalf("second DeleteVolume: %v", err)
	}
}

func TestUnrecordedDirsAreRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	newController(t, dir)
	stray := filepath.Join(dir, "volumes", "stray")
	if err := os.Mkdir(stray, 0o700); err != nil {
		t.Fatal(err)
	}
	newController(t, dir)
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Fatalf("stray dir kept: %v", err)
	}
}

func TestUnescapeMountPath(t *testing.T) {
	if got := unescapeMountPath(`/a\040b/c\134d`); got != `/a b/c\d` {
		t.Fatalf("got %q", got)
	}
}
