package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// ModTime returns when the file under key was last written. The start-up
// sweep uses it so that it never removes a photo another instance is still
// in the middle of saving.
func (d *DiskStore) ModTime(ctx context.Context, key string) (time.Time, error) {
	if err := validKey(key); err != nil {
		return time.Time{}, err
	}
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	st, err := d.root.Stat(key)
	if err != nil {
		return time.Time{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return st.ModTime(), nil
}

// SweepTemp removes what a process killed in the middle of a Put leaves
// behind: temp files last written before cutoff, then folders that are
// empty and older than cutoff. It returns how many entries it removed.
func (d *DiskStore) SweepTemp(ctx context.Context, cutoff time.Time) (int, error) {
	var temps, dirs []string
	// Folders we take a temp file out of lose it as an excuse to look
	// young: the photo it belonged to was abandoned before cutoff.
	touched := map[string]bool{}
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if e.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if strings.HasPrefix(e.Name(), tempPrefix) {
			if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
				temps = append(temps, p)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep media temp files: %w", err)
	}
	removed := 0
	var errs []error
	for _, p := range temps {
		if err := d.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		touched[path.Dir(p)] = true
		removed++
	}
	// Deepest first, so a folder emptied by removing its subfolders goes too.
	slices.SortFunc(dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, p := range dirs {
		st, err := d.root.Stat(p)
		if err != nil || !touched[p] && !st.ModTime().Before(cutoff) {
			continue
		}
		entries, err := fs.ReadDir(d.root.FS(), p)
		if err != nil || len(entries) > 0 {
			continue
		}
		// Remove refuses a folder that is not empty, so a Put that
		// created a file here meanwhile wins.
		if err := d.root.Remove(path.Clean(p)); err == nil {
			touched[path.Dir(p)] = true
			removed++
		}
	}
	return removed, errors.Join(errs...)
}
