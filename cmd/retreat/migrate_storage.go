package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// migrateStorageCommand copies an embedded install (the SQLite file and the
// photo folder in --data-dir) into PostgreSQL and S3-compatible storage, so
// a team that started small moves up without losing a photo:
//
//	RETREAT_DATABASE_URL=postgres://… RETREAT_S3_ENDPOINT=… RETREAT_S3_BUCKET=… … \
//	  retreat migrate-storage --data-dir ./retreat-data
//
// Photos go first, then the rows in one transaction (an empty database
// stays empty if it fails), then both are checked: every table's row
// count, and every photo's size in the bucket. Photos already in the
// bucket with the right size are not sent again, so a run cut short can
// simply be repeated (into a database that is still empty). Stop the old
// server first: what it writes during the copy is not copied.
func migrateStorageCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("retreat migrate-storage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DataDir, "data-dir", "./retreat-data", "the embedded install to copy: its retreat.db and media folder")
	from := fs.String("from-database-url", "", "the database to copy (default: sqlite in the data folder)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "the PostgreSQL database to copy into (postgres://…), empty")
	workers := fs.Int("workers", 4, "photos copied at once")
	registerS3(fs, &cfg.S3)
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	if !models.IsPostgresURL(cfg.DatabaseURL) {
		fmt.Fprintln(stderr, "retreat migrate-storage: --database-url (RETREAT_DATABASE_URL) must name the PostgreSQL database to copy into")
		return errReported
	}
	if !cfg.S3.Enabled() {
		fmt.Fprintln(stderr, "retreat migrate-storage: --s3-endpoint and --s3-bucket (RETREAT_S3_*) must name the bucket to copy photos into")
		return errReported
	}
	if err := cfg.S3.Validate(); err != nil {
		return err
	}
	if *workers < 1 {
		*workers = 1
	}
	srcURL := *from
	if srcURL == "" {
		srcURL = "sqlite://" + filepath.Join(cfg.DataDir, "retreat.db")
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "retreat.db")); err != nil {
			return fmt.Errorf("no embedded install in %s: %w", cfg.DataDir, err)
		}
	}
	if models.IsPostgresURL(srcURL) {
		fmt.Fprintln(stderr, "retreat migrate-storage: the install to copy must be an embedded (SQLite) one")
		return errReported
	}

	src, err := models.Open(ctx, srcURL, models.Options{})
	if err != nil {
		return fmt.Errorf("open the embedded database: %w", err)
	}
	defer src.Close()
	dst, err := models.Open(ctx, cfg.DatabaseURL, models.Options{})
	if err != nil {
		return fmt.Errorf("open %s: %w", models.RedactURL(cfg.DatabaseURL), err)
	}
	defer dst.Close()
	// The session store makes its table at start; make it now so sessions
	// (participants' identities, organizers' sign-ins) come along.
	if _, err := web.NewSessions(dst.DB(), web.SessionOptions{}); err != nil {
		return err
	}
	srcPhotos, err := media.NewDiskStore(filepath.Join(cfg.DataDir, "media"))
	if err != nil {
		return err
	}
	defer srcPhotos.Close()
	dstPhotos, err := media.NewS3Store(ctx, cfg.S3)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "Copying %s and %s\n     to %s and bucket %s\n", models.RedactURL(srcURL), filepath.Join(cfg.DataDir, "media"),
		models.RedactURL(cfg.DatabaseURL), cfg.S3.Bucket)
	photos, err := copyPhotos(ctx, srcPhotos, dstPhotos, *workers)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "photos: %d files, %d bytes (%d sent, %d already there)\n", photos.Files, photos.Bytes, photos.Sent, photos.Skipped)
	rep, err := src.CopyTo(ctx, dst)
	if err != nil {
		return err
	}
	bad := 0
	for _, t := range rep.Tables {
		mark := ""
		if t.Source != t.Target {
			mark = "  MISMATCH"
			bad++
		}
		fmt.Fprintf(stdout, "%-20s %8d rows%s\n", t.Table, t.Target, mark)
	}
	if bad > 0 {
		return fmt.Errorf("%d tables differ after the copy", bad)
	}
	if err := checkPhotos(ctx, srcPhotos, dstPhotos); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Done: %d rows and %d photo files checked. Start the server with the same RETREAT_DATABASE_URL and RETREAT_S3_* settings.\n",
		rep.Rows(), photos.Files)
	return nil
}

// photoCopy is what copyPhotos did.
type photoCopy struct {
	Files, Sent, Skipped int64
	Bytes                int64
}

// sizer is a store that can tell an object's size (S3Store).
type sizer interface {
	Size(ctx context.Context, key string) (int64, error)
}

// copyPhotos copies every file of src into dst, workers at a time,
// skipping those dst already holds with the same size.
func copyPhotos(ctx context.Context, src *media.DiskStore, dst media.Store, workers int) (photoCopy, error) {
	var res photoCopy
	keys := make(chan string)
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	var wg sync.WaitGroup
	var files, sent, skipped, total atomic.Int64
	for range workers {
		wg.Go(func() {
			for key := range keys {
				n, copied, err := copyPhoto(ctx, src, dst, key)
				if err != nil {
					fail(err)
					continue
				}
				files.Add(1)
				total.Add(n)
				if copied {
					sent.Add(1)
				} else {
					skipped.Add(1)
				}
			}
		})
	}
	err := src.List(ctx, "", func(key string) error {
		select {
		case keys <- key:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(keys)
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err != nil {
		return res, fmt.Errorf("list photos: %w", err)
	}
	return photoCopy{Files: files.Load(), Sent: sent.Load(), Skipped: skipped.Load(), Bytes: total.Load()}, nil
}

func copyPhoto(ctx context.Context, src *media.DiskStore, dst media.Store, key string) (size int64, copied bool, err error) {
	f, err := src.Open(ctx, key)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	st, err := f.(*os.File).Stat()
	if err != nil {
		return 0, false, fmt.Errorf("stat %s: %w", key, err)
	}
	if s, ok := dst.(sizer); ok {
		if n, err := s.Size(ctx, key); err == nil && n == st.Size() {
			return n, false, nil
		}
	}
	if err := dst.Put(ctx, key, f); err != nil {
		return 0, false, fmt.Errorf("copy photo: %w", err)
	}
	return st.Size(), true, nil
}

// checkPhotos confirms that every photo file is in dst with the size it
// has on disk.
func checkPhotos(ctx context.Context, src *media.DiskStore, dst media.Store) error {
	s, ok := dst.(sizer)
	if !ok {
		return nil
	}
	var missing []error
	err := src.List(ctx, "events/", func(key string) error {
		f, err := src.Open(ctx, key)
		if err != nil {
			return err
		}
		st, err := f.(*os.File).Stat()
		f.Close()
		if err != nil {
			return err
		}
		n, err := s.Size(ctx, key)
		if err != nil || n != st.Size() {
			missing = append(missing, fmt.Errorf("%s: %d bytes on disk, %d in the bucket (%v)", key, st.Size(), n, err))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check photos: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("photos not copied whole: %w", errors.Join(missing...))
	}
	return nil
}
