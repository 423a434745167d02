package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// The state dir:
//
//	state.json        every volume and snapshot (written to a temp file, then renamed)
//	volumes/<id>/     a volume's files (what pods see)
//	snapshots/<id>/   a snapshot's files (a copy of its volume's at the time)
//	tmp/              copies in progress (emptied at start)
//
// A copy is made under tmp/, renamed into place, and only then recorded: a crash leaves at worst an
// unrecorded directory, which the next start removes, never a record without its data.
type store struct {
	dir string

	mu        sync.Mutex
	volumes   map[string]*volumeRecord
	snapshots map[string]*snapshotRecord
	// Names and ids with an operation in progress: a second call for one of them (a sidecar's retry
	// after its timeout) gets ABORTED, as the spec asks, rather than racing the first.
	busy map[string]bool
}

type volumeRecord struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	CapacityBytes int64     `json:"capacityBytes"`
	CreatedAt     time.Time `json:"createdAt"`
	// At most one of these: what the volume was filled from.
	SourceSnapshotID string `json:"sourceSnapshotId,omitempty"`
	SourceVolumeID   string `json:"sourceVolumeId,omitempty"`
}

type snapshotRecord struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	SourceVolumeID string    `json:"sourceVolumeId"`
	SizeBytes      int64     `json:"sizeBytes"`
	CreatedAt      time.Time `json:"createdAt"`
}

type stateFile struct {
	Volumes   []*volumeRecord   `json:"volumes"`
	Snapshots []*snapshotRecord `json:"snapshots"`
}

var errBusy = errors.New("an operation on it is already in progress")

func openStore(dir string) (*store, error) {
	s := &store{dir: dir, volumes: map[string]*volumeRecord{}, snapshots: map[string]*snapshotRecord{}, busy: map[string]bool{}}
	for _, d := range []string{dir, s.volumesDir(), s.snapshotsDir()} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			return nil, err
		}
	}
	if err := os.RemoveAll(s.tmpDir()); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.tmpDir(), 0o700); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.stateFile())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		var st stateFile
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("%s: %w", s.stateFile(), err)
		}
		for _, v := range st.Volumes {
			s.volumes[v.ID] = v
		}
		for _, sn := range st.Snapshots {
			s.snapshots[sn.ID] = sn
		}
	}
	// Directories nobody recorded: a copy renamed into place just before a crash.
	for _, d := range []struct {
		dir   string
		known func(string) bool
	}{
		{s.volumesDir(), func(id string) bool { return s.volumes[id] != nil }},
		{s.snapshotsDir(), func(id string) bool { return s.snapshots[id] != nil }},
	} {
		entries, err := os.ReadDir(d.dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !d.known(e.Name()) {
				if err := os.RemoveAll(filepath.Join(d.dir, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	return s, nil
}

func (s *store) stateFile() string    { return filepath.Join(s.dir, "state.json") }
func (s *store) volumesDir() string   { return filepath.Join(s.dir, "volumes") }
func (s *store) snapshotsDir() string { return filepath.Join(s.dir, "snapshots") }
func (s *store) tmpDir() string       { return filepath.Join(s.dir, "tmp") }

func (s *store) volumePath(id string) string   { return filepath.Join(s.volumesDir(), id) }
func (s *store) snapshotPath(id string) string { return filepath.Join(s.snapshotsDir(), id) }

// save writes every record; the caller holds s.mu.
func (s *store) save() error {
	st := stateFile{Volumes: []*volumeRecord{}, Snapshots: []*snapshotRecord{}}
	for _, v := range s.volumes {
		st.Volumes = append(st.Volumes, v)
	}
	for _, sn := range s.snapshots {
		st.Snapshots = append(st.Snapshots, sn)
	}
	sort.Slice(st.Volumes, func(i, j int) bool { return st.Volumes[i].ID < st.Volumes[j].ID })
	sort.Slice(st.Snapshots, func(i, j int) bool { return st.Snapshots[i].ID < st.Snapshots[j].ID })
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.stateFile() + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, s.stateFile())
}

// claim marks keys busy, all or none; release undoes it. The caller holds s.mu.
func (s *store) claim(keys ...string) error {
	for _, k := range keys {
		if s.busy[k] {
			return errBusy
		}
	}
	for _, k := range keys {
		s.busy[k] = true
	}
	return nil
}

func (s *store) release(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.busy, k)
	}
}

func (s *store) volumeByName(name string) *volumeRecord {
	for _, v := range s.volumes {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func (s *store) snapshotByName(name string) *snapshotRecord {
	for _, sn := range s.snapshots {
		if sn.Name == name {
			return sn
		}
	}
	return nil
}

// sortedSnapshots: oldest first, a stable order for ListSnapshots' pages. The caller holds s.mu.
func (s *store) sortedSnapshots() []*snapshotRecord {
	list := make([]*snapshotRecord, 0, len(s.snapshots))
	for _, sn := range s.snapshots {
		list = append(list, sn)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.Before(list[j].CreatedAt)
		}
		return list[i].ID < list[j].ID
	})
	return list
}

// newID is a random UUID (version 4).
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
