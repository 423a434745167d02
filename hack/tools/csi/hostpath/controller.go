package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A volume asked for without a size gets this much (a directory has no size of its own; the number
// is what the volume reports, and what a snapshot of it needs to be restored into).
const defaultCapacity int64 = 1 << 30

type identity struct {
	csi.UnimplementedIdentityServer
	d *driver
}

func (i *identity) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: i.d.name, VendorVersion: driverVersion}, nil
}

func (i *identity) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	return &csi.GetPluginCapabilitiesResponse{Capabilities: []*csi.PluginCapability{{
		Type: &csi.PluginCapability_Service_{Service: &csi.PluginCapability_Service{Type: csi.PluginCapability_Service_CONTROLLER_SERVICE}},
	}}}, nil
}

func (i *identity) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	return &csi.ProbeResponse{Ready: wrapperspb.Bool(true)}, nil
}

type controller struct {
	csi.UnimplementedControllerServer
	d *driver
}

var controllerCapabilities = []csi.ControllerServiceCapability_RPC_Type{
	csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME,
	csi.ControllerServiceCapability_RPC_CREATE_DELETE_SNAPSHOT,
	csi.ControllerServiceCapability_RPC_LIST_SNAPSHOTS,
	csi.ControllerServiceCapability_RPC_CLONE_VOLUME,
}

func (c *controller) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (*csi.ControllerGetCapabilitiesResponse, error) {
	caps := make([]*csi.ControllerServiceCapability, 0, len(controllerCapabilities))
	for _, t := range controllerCapabilities {
		caps = append(caps, &csi.ControllerServiceCapability{Type: &csi.ControllerServiceCapability_Rpc{Rpc: &csi.ControllerServiceCapability_RPC{Type: t}}})
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: caps}, nil
}

// checkCapabilities accepts file-system volumes in any access mode: the volume is a directory on
// the one host that runs the node, where any number of pods may share it.
func checkCapabilities(caps []*csi.VolumeCapability) error {
	if len(caps) == 0 {
		return status.Error(codes.InvalidArgument, "volume capabilities missing")
	}
	for _, c := range caps {
		if c.GetBlock() != nil {
			return status.Error(codes.InvalidArgument, "block volumes are not supported: this driver serves directories")
		}
		if c.GetMount() == nil {
			return status.Error(codes.InvalidArgument, "access type missing: only mount is supported")
		}
		if c.GetAccessMode() == nil || c.GetAccessMode().GetMode() == csi.VolumeCapability_AccessMode_UNKNOWN {
			return status.Error(codes.InvalidArgument, "access mode missing")
		}
	}
	return nil
}

// capacityFor is the size a new volume gets from a request's range.
func capacityFor(r *csi.CapacityRange) (int64, error) {
	required, limit := r.GetRequiredBytes(), r.GetLimitBytes()
	if required < 0 || limit < 0 || (limit > 0 && required > limit) {
		return 0, status.Errorf(codes.OutOfRange, "invalid capacity range: required %d, limit %d", required, limit)
	}
	if required > 0 {
		return required, nil
	}
	if limit > 0 && limit < defaultCapacity {
		return limit, nil
	}
	return defaultCapacity, nil
}

func fits(capacity int64, r *csi.CapacityRange) bool {
	return capacity >= r.GetRequiredBytes() && (r.GetLimitBytes() == 0 || capacity <= r.GetLimitBytes())
}

func (v *volumeRecord) csi(source *csi.VolumeContentSource) *csi.Volume {
	return &csi.Volume{VolumeId: v.ID, CapacityBytes: v.CapacityBytes, ContentSource: source}
}

func (v *volumeRecord) contentSource() *csi.VolumeContentSource {
	switch {
	case v.SourceSnapshotID != "":
		return &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: v.SourceSnapshotID}}}
	case v.SourceVolumeID != "":
		return &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Volume{Volume: &csi.VolumeContentSource_VolumeSource{VolumeId: v.SourceVolumeID}}}
	}
	return nil
}

func (c *controller) CreateVolume(_ context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	name := req.GetName()
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "name missing")
	}
	if err := checkCapabilities(req.GetVolumeCapabilities()); err != nil {
		return nil, err
	}
	capacity, err := capacityFor(req.GetCapacityRange())
	if err != nil {
		return nil, err
	}
	var fromSnapshot, fromVolume string
	if src := req.GetVolumeContentSource(); src != nil {
		switch {
		case src.GetSnapshot() != nil:
			fromSnapshot = src.GetSnapshot().GetSnapshotId()
		case src.GetVolume() != nil:
			fromVolume = src.GetVolume().GetVolumeId()
		default:
			return nil, status.Error(codes.InvalidArgument, "unsupported volume content source")
		}
	}

	s := c.d.store
	s.mu.Lock()
	if existing := s.volumeByName(name); existing != nil {
		defer s.mu.Unlock()
		if !fits(existing.CapacityBytes, req.GetCapacityRange()) {
			return nil, status.Errorf(codes.AlreadyExists, "volume %q exists with %d bytes, outside the range asked for", name, existing.CapacityBytes)
		}
		if existing.SourceSnapshotID != fromSnapshot || existing.SourceVolumeID != fromVolume {
			return nil, status.Errorf(codes.AlreadyExists, "volume %q exists with another content source", name)
		}
		return &csi.CreateVolumeResponse{Volume: existing.csi(req.GetVolumeContentSource())}, nil
	}
	keys := []string{"volume-name/" + name}
	var source string
	switch {
	case fromSnapshot != "":
		sn := s.snapshots[fromSnapshot]
		if sn == nil {
			s.mu.Unlock()
			return nil, status.Errorf(codes.NotFound, "snapshot %q not found", fromSnapshot)
		}
		if capacity < sn.SizeBytes {
			s.mu.Unlock()
			return nil, status.Errorf(codes.OutOfRange, "snapshot %q needs %d bytes, %d asked for", fromSnapshot, sn.SizeBytes, capacity)
		}
		keys = append(keys, "snapshot/"+fromSnapshot)
		source = s.snapshotPath(fromSnapshot)
	case fromVolume != "":
		src := s.volumes[fromVolume]
		if src == nil {
			s.mu.Unlock()
			return nil, status.Errorf(codes.NotFound, "volume %q not found", fromVolume)
		}
		if capacity < src.CapacityBytes {
			s.mu.Unlock()
			return nil, status.Errorf(codes.OutOfRange, "volume %q has %d bytes, a clone needs as many; %d asked for", fromVolume, src.CapacityBytes, capacity)
		}
		keys = append(keys, "volume/"+fromVolume)
		source = s.volumePath(fromVolume)
	}
	if err := s.claim(keys...); err != nil {
		s.mu.Unlock()
		return nil, status.Errorf(codes.Aborted, "volume %q: %v", name, err)
	}
	s.mu.Unlock()
	defer s.release(keys...)

	rec := &volumeRecord{ID: newID(), Name: name, CapacityBytes: capacity, CreatedAt: time.Now().UTC(), SourceSnapshotID: fromSnapshot, SourceVolumeID: fromVolume}
	tmp := filepath.Join(s.tmpDir(), rec.ID)
	if source == "" {
		// Any pod may write to a new volume, whatever user it runs as (as with hostPath volumes).
		if err := os.Mkdir(tmp, 0o777); err != nil {
			return nil, status.Errorf(codes.Internal, "creating volume %q: %v", name, err)
		}
		if err := os.Chmod(tmp, 0o777); err != nil {
			return nil, status.Errorf(codes.Internal, "creating volume %q: %v", name, err)
		}
	} else if _, err := copyTree(source, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return nil, status.Errorf(codes.Internal, "filling volume %q: %v", name, err)
	}
	if err := c.commit(tmp, s.volumePath(rec.ID), func() { s.volumes[rec.ID] = rec }, func() { delete(s.volumes, rec.ID) }); err != nil {
		return nil, status.Errorf(codes.Internal, "recording volume %q: %v", name, err)
	}
	return &csi.CreateVolumeResponse{Volume: rec.csi(req.GetVolumeContentSource())}, nil
}

// commit moves a finished copy into place and records it (add), or takes both back.
func (c *controller) commit(tmp, final string, add, undo func()) error {
	s := c.d.store
	if err := os.Rename(tmp, final); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	add()
	if err := s.save(); err != nil {
		undo()
		_ = os.RemoveAll(final)
		return err
	}
	return nil
}

// remove forgets a record (drop) and then deletes its files: a crash in between leaves an
// unrecorded directory, removed at the next start.
func (c *controller) remove(path string, drop func()) error {
	s := c.d.store
	s.mu.Lock()
	drop()
	err := s.save()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return os.RemoveAll(path)
}

func (c *controller) DeleteVolume(_ context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	id := req.GetVolumeId()
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "volume id missing")
	}
	s := c.d.store
	s.mu.Lock()
	rec := s.volumes[id]
	if rec == nil {
		s.mu.Unlock()
		return &csi.DeleteVolumeResponse{}, nil // already gone: success, as the spec asks
	}
	key := "volume/" + id
	if err := s.claim(key); err != nil {
		s.mu.Unlock()
		return nil, status.Errorf(codes.Aborted, "volume %q: %v", id, err)
	}
	s.mu.Unlock()
	defer s.release(key)
	if err := c.remove(s.volumePath(id), func() { delete(s.volumes, id) }); err != nil {
		return nil, status.Errorf(codes.Internal, "deleting volume %q: %v", id, err)
	}
	return &csi.DeleteVolumeResponse{}, nil
}

func (c *controller) ValidateVolumeCapabilities(_ context.Context, req *csi.ValidateVolumeCapabilitiesRequest) (*csi.ValidateVolumeCapabilitiesResponse, error) {
	id := req.GetVolumeId()
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "volume id missing")
	}
	if len(req.GetVolumeCapabilities()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "volume capabilities missing")
	}
	s := c.d.store
	s.mu.Lock()
	found := s.volumes[id] != nil
	s.mu.Unlock()
	if !found {
		return nil, status.Errorf(codes.NotFound, "volume %q not found", id)
	}
	if err := checkCapabilities(req.GetVolumeCapabilities()); err != nil {
		return &csi.ValidateVolumeCapabilitiesResponse{Message: status.Convert(err).Message()}, nil
	}
	return &csi.ValidateVolumeCapabilitiesResponse{Confirmed: &csi.ValidateVolumeCapabilitiesResponse_Confirmed{
		VolumeContext:      req.GetVolumeContext(),
		VolumeCapabilities: req.GetVolumeCapabilities(),
		Parameters:         req.GetParameters(),
	}}, nil
}

func (sn *snapshotRecord) csi() *csi.Snapshot {
	return &csi.Snapshot{
		SnapshotId:     sn.ID,
		SourceVolumeId: sn.SourceVolumeID,
		SizeBytes:      sn.SizeBytes,
		CreationTime:   timestamppb.New(sn.CreatedAt),
		ReadyToUse:     true,
	}
}

func (c *controller) CreateSnapshot(_ context.Context, req *csi.CreateSnapshotRequest) (*csi.CreateSnapshotResponse, error) {
	name, volumeID := req.GetName(), req.GetSourceVolumeId()
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "name missing")
	}
	if volumeID == "" {
		return nil, status.Error(codes.InvalidArgument, "source volume id missing")
	}
	s := c.d.store
	s.mu.Lock()
	if existing := s.snapshotByName(name); existing != nil {
		defer s.mu.Unlock()
		if existing.SourceVolumeID != volumeID {
			return nil, status.Errorf(codes.AlreadyExists, "snapshot %q exists, of volume %q", name, existing.SourceVolumeID)
		}
		return &csi.CreateSnapshotResponse{Snapshot: existing.csi()}, nil
	}
	vol := s.volumes[volumeID]
	if vol == nil {
		s.mu.Unlock()
		return nil, status.Errorf(codes.NotFound, "volume %q not found", volumeID)
	}
	keys := []string{"snapshot-name/" + name, "volume/" + volumeID}
	if err := s.claim(keys...); err != nil {
		s.mu.Unlock()
		return nil, status.Errorf(codes.Aborted, "snapshot %q: %v", name, err)
	}
	s.mu.Unlock()
	defer s.release(keys...)

	// The snapshot's size is its volume's capacity: the least a volume restored from it must have.
	rec := &snapshotRecord{ID: newID(), Name: name, SourceVolumeID: volumeID, SizeBytes: vol.CapacityBytes}
	tmp := filepath.Join(s.tmpDir(), rec.ID)
	rec.CreatedAt = time.Now().UTC()
	if _, err := copyTree(s.volumePath(volumeID), tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return nil, status.Errorf(codes.Internal, "snapshot %q of volume %q: %v", name, volumeID, err)
	}
	if err := c.commit(tmp, s.snapshotPath(rec.ID), func() { s.snapshots[rec.ID] = rec }, func() { delete(s.snapshots, rec.ID) }); err != nil {
		return nil, status.Errorf(codes.Internal, "recording snapshot %q: %v", name, err)
	}
	return &csi.CreateSnapshotResponse{Snapshot: rec.csi()}, nil
}

func (c *controller) DeleteSnapshot(_ context.Context, req *csi.DeleteSnapshotRequest) (*csi.DeleteSnapshotResponse, error) {
	id := req.GetSnapshotId()
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "snapshot id missing")
	}
	s := c.d.store
	s.mu.Lock()
	if s.snapshots[id] == nil {
		s.mu.Unlock()
		return &csi.DeleteSnapshotResponse{}, nil
	}
	key := "snapshot/" + id
	if err := s.claim(key); err != nil {
		s.mu.Unlock()
		return nil, status.Errorf(codes.Aborted, "snapshot %q: %v", id, err)
	}
	s.mu.Unlock()
	defer s.release(key)
	if err := c.remove(s.snapshotPath(id), func() { delete(s.snapshots, id) }); err != nil {
		return nil, status.Errorf(codes.Internal, "deleting snapshot %q: %v", id, err)
	}
	return &csi.DeleteSnapshotResponse{}, nil
}

// ListSnapshots lists one snapshot (snapshot_id), a volume's (source_volume_id) or all, oldest
// first, a page at a time: starting_token is the index of the first entry of the page.
func (c *controller) ListSnapshots(_ context.Context, req *csi.ListSnapshotsRequest) (*csi.ListSnapshotsResponse, error) {
	if req.GetMaxEntries() < 0 {
		return nil, status.Error(codes.InvalidArgument, "max_entries must not be negative")
	}
	s := c.d.store
	s.mu.Lock()
	var matching []*csi.ListSnapshotsResponse_Entry
	for _, sn := range s.sortedSnapshots() {
		if id := req.GetSnapshotId(); id != "" && sn.ID != id {
			continue
		}
		if vol := req.GetSourceVolumeId(); vol != "" && sn.SourceVolumeID != vol {
			continue
		}
		matching = append(matching, &csi.ListSnapshotsResponse_Entry{Snapshot: sn.csi()})
	}
	s.mu.Unlock()

	start := 0
	if token := req.GetStartingToken(); token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(matching) {
			return nil, status.Errorf(codes.Aborted, "invalid starting_token %q", token)
		}
		start = n
	}
	end := len(matching)
	if m := int(req.GetMaxEntries()); m > 0 && start+m < end {
		end = start + m
	}
	resp := &csi.ListSnapshotsResponse{Entries: matching[start:end]}
	if end < len(matching) {
		resp.NextToken = strconv.Itoa(end)
	}
	return resp, nil
}

// errNotFound is for the node's look-ups.
var errNotFound = errors.New("not found")

func (s *store) volume(id string) (*volumeRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.volumes[id]; v != nil {
		return v, nil
	}
	return nil, errNotFound
}
