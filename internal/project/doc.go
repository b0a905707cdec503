// Package project loads a hookflow project: it reads hookflow.yaml with
// yaml.v3's Node API (positions, bounded aliases, a size cap), expands
// ${NAME} environment references in values, and hands each package its own
// section — triggers, integrations, rules — to validate and compile.
package project
