package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/internal/schema"
)

// schemaNames are the short names `hookflow schema` takes.
var schemaNames = map[string]string{
	"hookflow":  "hookflow.schema.json",
	"rule":      "rule.schema.json",
	"rule-test": "rule-test.schema.json",
}

func runSchema(_ context.Context, e env, args []string) error {
	fs := newFlags(e, "schema", "[hookflow|rule|rule-test] [flags]")
	write := fs.String("write", "", "write all three schemas into this directory (e.g. .schema) instead of printing one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *write != "" {
		if fs.NArg() > 0 {
			return fmt.Errorf("--write writes every schema; leave out %q", fs.Arg(0))
		}
		files, err := schemaFiles()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(*write, 0o755); err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			path := filepath.Join(*write, name)
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "wrote", path)
		}
		return nil
	}
	which := "hookflow"
	if fs.NArg() > 1 {
		fs.Usage()
		return fmt.Errorf("schema takes one name, got %q", strings.Join(fs.Args(), " "))
	}
	if fs.NArg() == 1 {
		which = fs.Arg(0)
	}
	file, ok := schemaNames[which]
	if !ok {
		return fmt.Errorf("no schema %q: want hookflow, rule or rule-test", which)
	}
	data, err := schema.Generate(file)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(data)
	return err
}

// schemaFiles are the three schemas by file name.
func schemaFiles() (map[string][]byte, error) {
	files := map[string][]byte{}
	for name := range schema.Files {
		data, err := schema.Generate(name)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}
