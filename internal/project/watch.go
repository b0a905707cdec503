package project

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Watch reloads p when its files change, checking every interval.
// A change that loads cleanly is handed to apply whole (atomically); one that
// does not is reported to reject with every problem, and the running project
// stays. Polling needs no OS watch support and sees edits on any filesystem.
func Watch(ctx context.Context, p *Project, getenv func(string) (string, bool), interval time.Duration, apply func(*Project), reject func(error)) {
	dir, last := p.Dir, p.fingerprint
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fp := fingerprint(dir)
		if fp == last {
			continue
		}
		last = fp
		next, err := Load(dir, getenv)
		if err != nil {
			reject(err)
			continue
		}
		apply(next)
	}
}

// fingerprint hashes the names and contents of hookflow.yaml and every YAML
// file below the project directory.
func fingerprint(dir string) string {
	var files []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != dir {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
