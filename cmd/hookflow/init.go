package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// initProject is the project `hookflow init` writes: one trigger, one
// integration, one rule and its test, each file a working example.
//
//go:embed initproject
var initProject embed.FS

// initSecrets are placeholders in initproject/hookflow.yaml that init
// replaces with secrets of the new project's own.
var initSecrets = []string{"HOOKFLOW_INIT_TRIGGER_SECRET", "HOOKFLOW_INIT_NOTIFY_SECRET"}

func runInit(_ context.Context, e env, args []string) error {
	fl := newFlags(e, "init", "[DIR] [flags]")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 1 {
		fl.Usage()
		return fmt.Errorf("init takes at most one DIR, got %q", strings.Join(fl.Args(), " "))
	}
	dir := "."
	if fl.NArg() == 1 {
		dir = fl.Arg(0)
	}
	files, err := initFiles()
	if err != nil {
		return err
	}
	// Refuse before writing anything: init never overwrites, nor leaves half a project.
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s already exists; init writes a new project into an empty directory or one without these files", filepath.Join(dir, name))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, `created a hookflow project in %s:
  hookflow.yaml                     trigger orders (Standard Webhooks), integration notify
  rules/order-created.yaml          the rule: post a summary of each created order
  rules/order-created_test.yaml     its test
  events/order-created.json         a sample event
  .schema/                          JSON Schemas for your editor (see README.md)
Next:
  cd %s && hookflow check && hookflow test
  hookflow dev                      then, in a second terminal:
  hookflow send orders events/order-created.json
`, dir, dir)
	return nil
}

// initFiles are the new project's files by path, secrets filled in.
func initFiles() (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(initProject, "initproject", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := initProject.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path, "initproject/")
		if name == "gitignore" { // go:embed leaves out dot files
			name = ".gitignore"
		}
		files[name] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	yml := string(files["hookflow.yaml"])
	for _, p := range initSecrets {
		yml = strings.Replace(yml, p, newSecret(), 1)
	}
	files["hookflow.yaml"] = []byte(yml)
	schemas, err := schemaFiles()
	if err != nil {
		return nil, err
	}
	for name, data := range schemas {
		files[filepath.Join(".schema", name)] = data
	}
	return files, nil
}

// newSecret is a Standard Webhooks secret: whsec_ and 24 random bytes in base64.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
