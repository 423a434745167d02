package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// copyTree copies the directory src to dst (which must not exist) the way `cp -a` would: regular
// files, directories, symbolic links, hard links (kept linked), FIFOs and device nodes, each with
// its owner, permission bits (set-id and sticky bits too) and modification and access times.
// Sockets are skipped (they mean nothing without their process). It returns the bytes of file data
// copied.
func copyTree(src, dst string) (int64, error) {
	type inode struct{ dev, ino uint64 }
	type dirAttrs struct {
		path string
		st   *syscall.Stat_t
	}
	linked := map[inode]string{}
	var dirs []dirAttrs
	var copied int64
	err := filepath.WalkDir(src, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			return &fs.PathError{Op: "lstat", Path: path, Err: err}
		}
		switch st.Mode & syscall.S_IFMT {
		case syscall.S_IFDIR:
			if err := os.Mkdir(target, 0o700); err != nil {
				return err
			}
			// Its attributes once its contents are in (adding them changes its times).
			dirs = append(dirs, dirAttrs{target, &st})
			return nil
		case syscall.S_IFREG:
			key := inode{uint64(st.Dev), st.Ino}
			if st.Nlink > 1 {
				if first, ok := linked[key]; ok {
					return os.Link(first, target)
				}
				linked[key] = target
			}
			n, err := copyFile(path, target)
			if err != nil {
				return err
			}
			copied += n
		case syscall.S_IFLNK:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
		case syscall.S_IFIFO, syscall.S_IFCHR, syscall.S_IFBLK:
			if err := unix.Mknod(target, st.Mode, int(st.Rdev)); err != nil {
				return &fs.PathError{Op: "mknod", Path: target, Err: err}
			}
		default:
			return nil
		}
		return setAttrs(target, &st)
	})
	if err != nil {
		return copied, fmt.Errorf("copying %s: %w", src, err)
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := setAttrs(dirs[i].path, dirs[i].st); err != nil {
			return copied, err
		}
	}
	return copied, nil
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err != nil {
		_ = out.Close()
		return n, err
	}
	return n, out.Close()
}

// setAttrs gives path the owner, mode and times in st (owner first: chown clears set-id bits).
func setAttrs(path string, st *syscall.Stat_t) error {
	if err := os.Lchown(path, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFLNK {
		if err := syscall.Chmod(path, st.Mode&0o7777); err != nil {
			return &fs.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	times := []unix.Timespec{{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec}, {Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec}}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, path, times, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "utimes", Path: path, Err: err}
	}
	return nil
}

// diskUsage is the space the files under dir take (allocated blocks) and how many there are.
func diskUsage(dir string) (bytes int64, inodes int64, err error) {
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			return err
		}
		bytes += st.Blocks * 512
		inodes++
		return nil
	})
	return bytes, inodes, err
}
