//go:build slim

package main

// devCommands is empty in the slim build: `dev` needs the embedded Temporal
// server and Web UI, which production (serve, worker against a cluster) does
// not. run names the full build when someone asks for dev anyway.
func devCommands() []command { return nil }
