package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// A backup is one tar file: the database as of one instant (retreat.db),
// every photo folder that database points at (media/events/…), and a
// manifest (backup.json). It is made while the app serves traffic:
//
//  1. VACUUM INTO writes a consistent snapshot of the database (SQLite's
//     online copy; WAL lets the app keep writing meanwhile).
//  2. The photo folders the snapshot names are copied. Folders are never
//     changed once written, only deleted after the database stops pointing
//     at them, so a folder is either copied whole or found gone.
//  3. If any folder was gone (replaced after the snapshot), a new snapshot
//     is taken and the folders it adds are copied, until one snapshot's
//     folders are all in the file. That snapshot is the backup's database.
//
// Restoring unpacks into a new folder beside the data folder, checks the
// database (PRAGMA integrity_check) and that every photo it names is
// there, then swaps the folders; the data it replaces is kept aside.

// backupManifest is backup.json.
type backupManifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Snapshots int       `json:"snapshots"`
	Photos    int       `json:"photo_folders"`
	Files     int       `json:"files"`
	Bytes     int64     `json:"bytes"`
}

// maxSnapshots bounds the snapshot rounds of one backup.
const maxSnapshots = 10

// afterSnapshot, when set (by tests), runs after each snapshot is taken,
// before its photos are copied: where the app may replace one.
var afterSnapshot func(n int)

// parseFlagsAndArgs is parseWithEnv for commands that take arguments
// after their flags.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if err := parseWithEnv(fs, nil); err != nil {
		return nil, err
	}
	return rest, nil
}

func backupCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("retreat backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: retreat backup [flags] FILE\n\nWrites a consistent copy of the database and every photo it names to FILE (a tar file), while the app runs.")
		fs.PrintDefaults()
	}
	cfg.register(fs)
	registerS3(fs, &cfg.S3)
	rest, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errReported
	}
	cfg.fillDefaults()
	if models.IsPostgresURL(cfg.DatabaseURL) || cfg.S3.Enabled() {
		fmt.Fprintln(stderr, "retreat backup: this install runs on PostgreSQL and S3: back those up with pg_dump and your bucket's own versioning or replication")
		return errReported
	}
	out, err := filepath.Abs(rest[0])
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := writeBackup(ctx, cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s: the database (%d snapshot(s)), %d photos in %d files, %.1f MB, in %s.\n",
		cfg.DataDir, out, m.Snapshots, m.Photos, m.Files, float64(m.Bytes)/(1<<20), time.Since(start).Round(time.Millisecond))
	return nil
}

// writeBackup writes the backup file out (atomically: a partial file is
// removed on any error).
func writeBackup(ctx context.Context, cfg *config, out string) (m backupManifest, err error) {
	if _, err := os.Stat(strings.TrimPrefix(cfg.DatabaseURL, "sqlite://")); err != nil && strings.HasPrefix(cfg.DatabaseURL, "sqlite://") {
		return m, fmt.Errorf("no database to back up: %w", err)
	}
	store, err := models.Open(ctx, cfg.DatabaseURL, models.Options{})
	if err != nil {
		return m, err
	}
	defer store.Close()
	photos, err := media.NewDiskStore(filepath.Join(cfg.DataDir, "media"))
	if err != nil {
		return m, err
	}
	defer photos.Close()
	work, err := os.MkdirTemp(filepath.Dir(out), ".retreat-backup-")
	if err != nil {
		return m, fmt.Errorf("backup work folder: %w", err)
	}
	defer os.RemoveAll(work)

	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return m, fmt.Errorf("create backup file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(partial)
		}
	}()
	tw := tar.NewWriter(f)
	m = backupManifest{Format: 1, CreatedAt: time.Now().UTC()}
	copied := map[string]bool{}
	var snap string
	for {
		m.Snapshots++
		snap = filepath.Join(work, fmt.Sprintf("snapshot-%d.db", m.Snapshots))
		if err := store.SnapshotTo(ctx, snap); err != nil {
			return m, err
		}
		if afterSnapshot != nil {
			afterSnapshot(m.Snapshots)
		}
		folders, err := snapshotFolders(ctx, snap)
		if err != nil {
			return m, err
		}
		gone := 0
		for _, folder := range folders {
			if copied[folder] {
				continue
			}
			files, bytes, err := addPhotoFolder(ctx, tw, photos, folder)
			if errors.Is(err, errFolderGone) {
				gone++
				continue
			}
			if err != nil {
				return m, err
			}
			copied[folder] = true
			m.Photos++
			m.Files += files
			m.Bytes += bytes
		}
		if gone == 0 {
			break
		}
		if m.Snapshots == maxSnapshots {
			return m, fmt.Errorf("photos keep changing under the backup (%d snapshots, %d folders gone in the last): try again in a quieter moment", m.Snapshots, gone)
		}
	}
	n, err := addFile(tw, "retreat.db", snap)
	if err != nil {
		return m, err
	}
	m.Bytes += n
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "backup.json", Mode: 0o600, Size: int64(len(manifest)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	if _, err := tw.Write(manifest); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	if err := os.Rename(partial, out); err != nil {
		return m, fmt.Errorf("write backup: %w", err)
	}
	return m, nil
}

// snapshotFolders lists the photo folders a snapshot file points at.
func snapshotFolders(ctx context.Context, path string) ([]string, error) {
	s, err := models.Open(ctx, "sqlite://"+path, models.Options{})
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer s.Close()
	return s.PhotoFolders(ctx)
}

var errFolderGone = errors.New("photo folder gone")

// addPhotoFolder copies one photo folder into the backup: all of it or,
// if it is incomplete (being deleted), nothing (errFolderGone). Every file
// is opened before any is written: an open file stays readable even if the
// app deletes it meanwhile.
func addPhotoFolder(ctx context.Context, tw *tar.Writer, photos *media.DiskStore, folder string) (files int, bytes int64, err error) {
	var keys []string
	if err := photos.List(ctx, folder+"/", func(key string) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return 0, 0, err
	}
	if !completeFolder(folder, keys) {
		return 0, 0, errFolderGone
	}
	type open struct {
		key string
		f   *os.File
		st  fs.FileInfo
	}
	var opened []open
	defer func() {
		for _, o := range opened {
			o.f.Close()
		}
	}()
	for _, key := range keys {
		rc, err := photos.Open(ctx, key)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, 0, errFolderGone
		}
		if err != nil {
			return 0, 0, err
		}
		f, ok := rc.(*os.File)
		if !ok {
			rc.Close()
			return 0, 0, fmt.Errorf("backup %s: not a file on disk", key)
		}
		opened = append(opened, open{key: key, f: f})
		st, err := f.Stat()
		if err != nil {
			return 0, 0, fmt.Errorf("backup %s: %w", key, err)
		}
		opened[len(opened)-1].st = st
	}
	for _, o := range opened {
		hdr := &tar.Header{Name: "media/" + o.key, Mode: 0o640, Size: o.st.Size(), ModTime: o.st.ModTime(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return 0, 0, fmt.Errorf("write backup: %w", err)
		}
		n, err := io.Copy(tw, o.f)
		if err != nil {
			return 0, 0, fmt.Errorf("write backup: %s: %w", o.key, err)
		}
		files++
		bytes += n
	}
	return files, bytes, nil
}

// completeFolder reports whether keys hold a whole photo: the three
// renditions and the original.
func completeFolder(folder string, keys []string) bool {
	for _, size := range media.Sizes {
		if !slices.Contains(keys, models.PhotoFile(folder, size)) {
			return false
		}
	}
	return slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(path.Base(k), "original") })
}

func addFile(tw *tar.Writer, name, src string) (int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("write backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("write backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return 0, fmt.Errorf("write backup: %w", err)
	}
	n, err := io.Copy(tw, f)
	if err != nil {
		return 0, fmt.Errorf("write backup: %w", err)
	}
	return n, nil
}

func restoreCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("retreat restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: retreat restore [flags] FILE\n\nRestores a backup made by retreat backup into the data folder. Stop the server first.")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.DataDir, "data-dir", "./retreat-data", "the data folder to restore into")
	force := fs.Bool("force", false, "replace a data folder that already has a database (it is kept aside as DATA-DIR.before-restore-TIME)")
	rest, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errReported
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dataDir, "retreat.db")); err == nil && !*force {
		fmt.Fprintf(stderr, "retreat restore: %s already has a database. Stop the server, then run again with --force to replace it (the current data is kept aside).\n", dataDir)
		return errReported
	}
	staging, err := os.MkdirTemp(filepath.Dir(dataDir), filepath.Base(dataDir)+".restoring-")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	m, err := unpackBackup(ctx, rest[0], staging)
	if err != nil {
		return err
	}
	if err := verifyRestore(ctx, staging); err != nil {
		return err
	}
	var aside string
	if _, err := os.Stat(dataDir); err == nil {
		aside = fmt.Sprintf("%s.before-restore-%s", dataDir, time.Now().UTC().Format("20060102-150405"))
		if err := os.Rename(dataDir, aside); err != nil {
			return fmt.Errorf("restore: move the current data aside: %w", err)
		}
	}
	if err := os.Rename(staging, dataDir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	done = true
	fmt.Fprintf(stdout, "Restored the backup of %s (%d photos) into %s.\n", m.CreatedAt.Format(time.RFC3339), m.Photos, dataDir)
	if aside != "" {
		fmt.Fprintf(stdout, "The data it replaced is in %s.\n", aside)
	}
	return nil
}

// unpackBackup extracts a backup into dir. Only the names a backup has are
// accepted (retreat.db, backup.json, media/<photo key>); photo keys go
// through the photo store's own key check, so no name in the file can
// reach outside dir.
func unpackBackup(ctx context.Context, file, dir string) (m backupManifest, err error) {
	f, err := os.Open(file)
	if err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		return m, err
	}
	defer photos.Close()
	tr := tar.NewReader(f)
	sawDB, sawManifest := false, false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("restore: %s is not a Retreat backup (or is damaged): %w", file, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("restore: unexpected entry %q in %s", hdr.Name, file)
		}
		switch {
		case hdr.Name == "retreat.db":
			if err := writeFileFrom(filepath.Join(dir, "retreat.db"), tr); err != nil {
				return m, err
			}
			sawDB = true
		case hdr.Name == "backup.json":
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
				return m, fmt.Errorf("restore: read backup.json: %w", err)
			}
			sawManifest = true
		case strings.HasPrefix(hdr.Name, "media/"):
			if err := photos.Put(ctx, strings.TrimPrefix(hdr.Name, "media/"), tr); err != nil {
				return m, fmt.Errorf("restore: %w", err)
			}
		default:
			return m, fmt.Errorf("restore: unexpected entry %q in %s", hdr.Name, file)
		}
	}
	if !sawDB || !sawManifest {
		return m, fmt.Errorf("restore: %s is not a complete Retreat backup", file)
	}
	return m, nil
}

func writeFileFrom(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	return f.Close()
}

// verifyRestore checks an unpacked backup before it replaces anything:
// the database is sound, and every photo it names is whole.
func verifyRestore(ctx context.Context, dir string) error {
	s, err := models.Open(ctx, "sqlite://"+filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		return fmt.Errorf("restore: open the backed-up database: %w", err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	folders, err := s.PhotoFolders(ctx)
	if err != nil {
		return err
	}
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		return err
	}
	defer photos.Close()
	for _, folder := range folders {
		var keys []string
		if err := photos.List(ctx, folder+"/", func(k string) error { keys = append(keys, k); return nil }); err != nil {
			return err
		}
		if !completeFolder(folder, keys) {
			return fmt.Errorf("restore: the backup lacks files of photo %s", folder)
		}
	}
	return nil
}
