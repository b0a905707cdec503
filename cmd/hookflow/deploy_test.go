package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/internal/devserver"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/workflows"
)

// The operator artefacts (Dockerfile, deploy/kubernetes) cannot be run
// here: no container engine, no cluster. These tests check what can be
// checked: the manifests parse and hang together, and they agree with the
// binary — each container's arguments are a command and flags it has, each
// probe and port is one it serves, each environment variable is one it or
// the project reads — by running serve and worker with the manifests' own
// arguments and environment and probing them.

const (
	manifestDir = "../../deploy/kubernetes"
	dockerfile  = "../../Dockerfile"
)

// Just the parts of the Kubernetes objects the checks read.
type k8sHeader struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
}

type k8sDeployment struct {
	Spec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					RunAsUser    int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"` // a number or a port's name
	} `yaml:"httpGet"`
}

type k8sSelector struct {
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		MinAvailable   any `yaml:"minAvailable"`
		MaxUnavailable any `yaml:"maxUnavailable"`
	} `yaml:"spec"`
}

type k8sService struct {
	Spec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Port       int `yaml:"port"`
			TargetPort any `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

// manifests is every object in deploy/kubernetes, by kind and name.
type manifests struct {
	deployments map[string]k8sDeployment
	services    map[string]k8sService
	pdbs        map[string]k8sSelector
	configMaps  map[string]map[string]string
	kustomize   struct {
		Resources []string `yaml:"resources"`
		Images    []struct {
			Name string `yaml:"name"`
		} `yaml:"images"`
	}
}

func loadManifests(t *testing.T) *manifests {
	t.Helper()
	m := &manifests{deployments: map[string]k8sDeployment{}, services: map[string]k8sService{}, pdbs: map[string]k8sSelector{}, configMaps: map[string]map[string]string{}}
	files, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", manifestDir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for i := 0; ; i++ {
			var doc yaml.Node
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: document %d does not parse: %v", f, i+1, err)
			}
			var h k8sHeader
			if err := doc.Decode(&h); err != nil {
				t.Fatalf("%s: document %d: %v", f, i+1, err)
			}
			at := fmt.Sprintf("%s: %s %q", filepath.Base(f), h.Kind, h.Metadata.Name)
			if h.APIVersion == "" || h.Kind == "" {
				t.Errorf("%s: document %d has no apiVersion or kind", f, i+1)
			}
			var err error
			switch h.Kind {
			case "Deployment":
				var d k8sDeployment
				err = doc.Decode(&d)
				m.deployments[h.Metadata.Name] = d
			case "Service":
				var s k8sService
				err = doc.Decode(&s)
				m.services[h.Metadata.Name] = s
			case "PodDisruptionBudget":
				var p k8sSelector
				err = doc.Decode(&p)
				m.pdbs[h.Metadata.Name] = p
			case "ConfigMap":
				var c struct {
					Data map[string]string `yaml:"data"`
				}
				err = doc.Decode(&c)
				m.configMaps[h.Metadata.Name] = c.Data
			case "Kustomization":
				err = doc.Decode(&m.kustomize)
			default:
				t.Errorf("%s: a kind this test does not check; teach it", at)
			}
			if err != nil {
				t.Errorf("%s: %v", at, err)
			}
		}
	}
	return m
}

// dockerImage is what the Dockerfile's final stage says about the image.
type dockerImage struct {
	stages     int
	base       string
	user       string
	entrypoint string
	expose     []int
	project    string // where the project is copied
	build      string // the RUN line that builds the binary
}

func loadDockerfile(t *testing.T) dockerImage {
	t.Helper()
	b, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	// Join continued lines, drop comments.
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(b), " ")
	var img dockerImage
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(word) {
		case "FROM":
			img.stages++
			img.base = strings.Fields(rest)[0]
			img.user, img.expose, img.entrypoint = "", nil, ""
		case "USER":
			img.user = rest
		case "EXPOSE":
			for _, p := range strings.Fields(rest) {
				n, err := strconv.Atoi(strings.TrimSuffix(p, "/tcp"))
				if err != nil {
					t.Errorf("Dockerfile: EXPOSE %s", p)
				}
				img.expose = append(img.expose, n)
			}
		case "ENTRYPOINT":
			img.entrypoint = rest
		case "COPY":
			if f := strings.Fields(rest); len(f) == 2 && strings.Contains(f[0], "PROJECT") {
				img.project = f[1]
			}
		case "RUN":
			if strings.Contains(rest, "go build") {
				img.build = rest
			}
		}
	}
	return img
}

// TestDeployManifests checks the manifests and the Dockerfile hang together
// and follow the rules an operator expects: probes, resource requests,
// disruption budgets, non-root, a distroless or scratch base.
func TestDeployManifests(t *testing.T) {
	m := loadManifests(t)
	img := loadDockerfile(t)

	if img.stages < 2 {
		t.Errorf("Dockerfile has %d stage(s); want a build stage and a small final one", img.stages)
	}
	if !strings.HasPrefix(img.base, "gcr.io/distroless/static") && img.base != "scratch" {
		t.Errorf("Dockerfile's final base is %s; want distroless static or scratch", img.base)
	}
	uid, _, _ := strings.Cut(img.user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("Dockerfile's final USER is %q; want a numeric non-root uid, which runAsNonRoot can verify", img.user)
	}
	if img.entrypoint != `["/hookflow"]` {
		t.Errorf("Dockerfile's ENTRYPOINT is %s; the manifests pass only arguments, so it must be [\"/hookflow\"]", img.entrypoint)
	}
	if !strings.Contains(img.build, "CGO_ENABLED=0") || !strings.Contains(img.build, "./cmd/hookflow") {
		t.Errorf("Dockerfile builds with %q; a static base needs CGO_ENABLED=0 and the binary is ./cmd/hookflow", img.build)
	}

	var resources []string
	for _, r := range m.kustomize.Resources {
		resources = append(resources, r)
		if _, err := os.Stat(filepath.Join(manifestDir, r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" && !slices.Contains(resources, b) {
			t.Errorf("kustomization.yaml does not list %s", b)
		}
	}

	for _, name := range []string{"hookflow-serve", "hookflow-worker"} {
		d, ok := m.deployments[name]
		if !ok {
			t.Errorf("no Deployment %s", name)
			continue
		}
		s := d.Spec.Template.Spec
		if !labelsMatch(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) {
			t.Errorf("%s: selector %v does not select its pods %v", name, d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
		}
		if d.Spec.Replicas < 2 {
			t.Errorf("%s: %d replica(s); one is a single point of failure", name, d.Spec.Replicas)
		}
		if !s.SecurityContext.RunAsNonRoot || strconv.Itoa(s.SecurityContext.RunAsUser) != uid {
			t.Errorf("%s: runs as %d (runAsNonRoot %v); the image's user is %s", name, s.SecurityContext.RunAsUser, s.SecurityContext.RunAsNonRoot, uid)
		}
		if s.TerminationGracePeriodSeconds < 30 {
			t.Errorf("%s: terminationGracePeriodSeconds %d leaves no time to finish in-flight work", name, s.TerminationGracePeriodSeconds)
		}
		if len(s.Containers) != 1 {
			t.Fatalf("%s: %d containers; want one", name, len(s.Containers))
		}
		c := s.Containers[0]
		if len(m.kustomize.Images) == 0 || c.Image != m.kustomize.Images[0].Name {
			t.Errorf("%s: image %q is not the one kustomization.yaml sets", name, c.Image)
		}
		if len(c.Command) > 0 {
			t.Errorf("%s: command %v replaces the image's ENTRYPOINT; pass args only", name, c.Command)
		}
		ports := map[string]int{}
		for _, p := range c.Ports {
			ports[p.Name] = p.ContainerPort
			if !slices.Contains(img.expose, p.ContainerPort) {
				t.Errorf("%s: port %d is not EXPOSEd by the Dockerfile (%v)", name, p.ContainerPort, img.expose)
			}
		}
		for _, pr := range []struct {
			kind  string
			probe *k8sProbe
			path  string
		}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
			if pr.probe == nil || pr.probe.HTTPGet == nil {
				t.Errorf("%s: no %s probe", name, pr.kind)
				continue
			}
			if pr.probe.HTTPGet.Path != pr.path {
				t.Errorf("%s: %s probe on %s; want %s", name, pr.kind, pr.probe.HTTPGet.Path, pr.path)
			}
			if _, ok := resolvePort(pr.probe.HTTPGet.Port, ports); !ok {
				t.Errorf("%s: %s probe port %v is not a container port %v", name, pr.kind, pr.probe.HTTPGet.Port, ports)
			}
		}
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" {
				t.Errorf("%s: no %s request", name, r)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef != nil {
				if _, ok := m.configMaps[ef.ConfigMapRef.Name]; !ok {
					t.Errorf("%s: envFrom names ConfigMap %s, which the manifests do not define", name, ef.ConfigMapRef.Name)
				}
			}
		}
		if want := "--project=" + img.project; img.project == "" || !slices.Contains(c.Args, want) {
			t.Errorf("%s: args %v; the image holds the project at %q (want %s)", name, c.Args, img.project, want)
		}
		pdb := false
		for _, p := range m.pdbs {
			if labelsMatch(p.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) {
				pdb = p.Spec.MinAvailable != nil || p.Spec.MaxUnavailable != nil
			}
		}
		if !pdb {
			t.Errorf("%s: no PodDisruptionBudget with minAvailable or maxUnavailable selects its pods", name)
		}
	}
	svc, ok := m.services["hookflow-serve"]
	serve := m.deployments["hookflow-serve"]
	if !ok {
		t.Error("no Service hookflow-serve")
	} else if !labelsMatch(svc.Spec.Selector, serve.Spec.Template.Metadata.Labels) {
		t.Errorf("Service hookflow-serve selects %v, not the serve pods", svc.Spec.Selector)
	} else if len(serve.Spec.Template.Spec.Containers) == 1 {
		ports := map[string]int{}
		for _, p := range serve.Spec.Template.Spec.Containers[0].Ports {
			ports[p.Name] = p.ContainerPort
		}
		for _, p := range svc.Spec.Ports {
			if _, ok := resolvePort(p.TargetPort, ports); !ok {
				t.Errorf("Service hookflow-serve targets port %v, which serve does not open %v", p.TargetPort, ports)
			}
		}
	}
}

// labelsMatch says whether selector selects labels.
func labelsMatch(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// resolvePort turns a probe's or Service's port, a number or a name, into
// a container port.
func resolvePort(p any, ports map[string]int) (int, bool) {
	switch v := p.(type) {
	case int:
		return v, slices.Contains(slices.Collect(maps.Values(ports)), v)
	case string:
		n, ok := ports[v]
		return n, ok
	}
	return 0, false
}

// recordingEnv is an environment that remembers which names were read.
type recordingEnv struct {
	vars map[string]string
	mu   sync.Mutex
	read map[string]bool
}

func (r *recordingEnv) getenv(name string) (string, bool) {
	r.mu.Lock()
	r.read[name] = true
	r.mu.Unlock()
	v, ok := r.vars[name]
	return v, ok
}

func (r *recordingEnv) wasRead(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read[name]
}

// TestDeployManifestsRun starts serve and worker with the manifests' own
// arguments and environment (ConfigMap values, the Dockerfile's default
// project) against an embedded Temporal server standing in for the
// cluster, and probes each on the ports and paths the manifests name.
func TestDeployManifestsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded Temporal server")
	}
	m := loadManifests(t)
	img := loadDockerfile(t)
	projectDir := "../../samples/shop" // the Dockerfile's default PROJECT
	if !strings.Contains(string(must(os.ReadFile(dockerfile))), "ARG PROJECT=samples/shop") {
		t.Fatal("the Dockerfile's default project is no longer samples/shop; change projectDir")
	}

	vars := map[string]string{}
	for _, data := range m.configMaps {
		maps.Copy(vars, data)
	}
	namespace := vars["TEMPORAL_NAMESPACE"]
	p, err := project.Load(projectDir, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	// The hookflow-secrets Secret: serve and worker refuse the project's
	// public default secrets, so a deployment sets each one.
	for _, d := range p.DefaultSecrets {
		vars[d.Var] = "from-hookflow-secrets-" + d.Var
	}
	attrs := workflows.SearchAttributeTypes()
	maps.Copy(attrs, p.SearchAttributeTypes())
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, Namespace: namespace, SearchAttributes: attrs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	vars["TEMPORAL_ADDRESS"] = srv.Addr()
	env := &recordingEnv{vars: vars, read: map[string]bool{}}

	ctx, cancel := context.WithCancel(context.Background())
	type running struct {
		name string
		done chan error
		log  *syncBuffer
	}
	var procs []running
	probes := map[string][]string{} // URL → the deployment it probes
	for _, name := range []string{"hookflow-worker", "hookflow-serve"} {
		c := m.deployments[name].Spec.Template.Spec.Containers[0]
		ports := map[string]int{}
		local := map[int]string{} // container port → a free loopback address
		for _, p := range c.Ports {
			ports[p.Name] = p.ContainerPort
			addr, err := freeAddr()
			if err != nil {
				t.Fatal(err)
			}
			local[p.ContainerPort] = addr
		}
		args, used := expandArgs(t, name, c.Args, vars, local, img.project, projectDir)
		for k := range used {
			env.read[k] = true // Kubernetes reads it for the binary
		}
		for _, pr := range []*k8sProbe{c.LivenessProbe, c.ReadinessProbe} {
			port, _ := resolvePort(pr.HTTPGet.Port, ports)
			u := "http://" + local[port] + pr.HTTPGet.Path
			probes[u] = append(probes[u], name)
		}
		r := running{name: name, done: make(chan error, 1), log: &syncBuffer{}}
		go func() { r.done <- run(ctx, args, env.getenv, io.Discard, r.log) }()
		procs = append(procs, r)
	}
	t.Cleanup(func() {
		cancel()
		for _, r := range procs {
			select {
			case err := <-r.done:
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("%s exited with %v", r.name, err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("%s did not stop within 30s", r.name)
			}
			if t.Failed() {
				t.Logf("%s log:\n%s", r.name, r.log.String())
			}
		}
	})
	for u, names := range probes {
		if err := waitReady(u, 90*time.Second); err != nil {
			t.Errorf("%v probes %s: %v", names, u, err)
		}
	}
	for _, r := range procs {
		select {
		case err := <-r.done:
			t.Fatalf("%s exited early: %v\n%s", r.name, err, r.log.String())
		default:
		}
	}
	for cm, data := range m.configMaps {
		for k := range data {
			if !env.wasRead(k) {
				t.Errorf("ConfigMap %s sets %s, which neither the manifests' arguments nor hookflow read", cm, k)
			}
		}
	}
}

// expandArgs turns a container's arguments into ones for this machine:
// $(VAR) from the ConfigMap as Kubernetes expands them, the image's project
// path to the repository's copy, and each listen address on a container
// port to a free loopback address. It returns the variables it expanded.
func expandArgs(t *testing.T, name string, args []string, vars map[string]string, local map[int]string, imageProject, projectDir string) ([]string, map[string]bool) {
	t.Helper()
	used := map[string]bool{}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	listen := regexp.MustCompile(`^(--?[a-z-]+=)(0\.0\.0\.0|\[::\])?:(\d+)$`)
	var out []string
	for _, a := range args {
		a = ref.ReplaceAllStringFunc(a, func(s string) string {
			k := ref.FindStringSubmatch(s)[1]
			v, ok := vars[k]
			if !ok {
				t.Errorf("%s: argument %q uses $(%s), which no ConfigMap sets", name, a, k)
			}
			used[k] = true
			return v
		})
		if rest, ok := strings.CutPrefix(a, "--project="+imageProject); ok {
			a = "--project=" + projectDir + rest
		}
		if mm := listen.FindStringSubmatch(a); mm != nil {
			port, _ := strconv.Atoi(mm[3])
			addr, ok := local[port]
			if !ok {
				t.Errorf("%s: %q listens on %d, which is not a container port", name, a, port)
			}
			a = mm[1] + addr
		}
		out = append(out, a)
	}
	return out, used
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestDeployDocsMetricNames checks that every metric docs/deploy.md tells
// operators to alert on exists: hookflow's in internal/telemetry, the
// Temporal SDK's among the SDK's metric names.
func TestDeployDocsMetricNames(t *testing.T) {
	doc := string(must(os.ReadFile("../../docs/deploy.md")))
	var ours strings.Builder
	for _, f := range must(filepath.Glob("../../internal/telemetry/*.go")) {
		if !strings.HasSuffix(f, "_test.go") {
			ours.Write(must(os.ReadFile(f)))
		}
	}
	literals := sdkMetricParts(t)
	names := regexp.MustCompile(`\b(hookflow|temporal)_[a-z_]*[a-z]\b`).FindAllString(doc, -1)
	if len(names) < 10 {
		t.Fatalf("docs/deploy.md names %d metrics; the monitoring section lost its table?", len(names))
	}
	for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
		switch {
		case strings.HasPrefix(name, "hookflow_"):
			if !strings.Contains(ours.String(), `"`+name+`"`) {
				t.Errorf("docs/deploy.md names %s, which internal/telemetry does not define", name)
			}
		case !concatOf(strings.TrimPrefix(name, "temporal_"), literals):
			t.Errorf("docs/deploy.md names %s, which is not among the Temporal SDK's metrics", name)
		}
	}
}

// sdkMetricParts are the string literals the Temporal SDK builds its
// metric names from (temporal_request_failure is TemporalRequest + "_failure").
func sdkMetricParts(t *testing.T) []string {
	t.Helper()
	sdkDir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk").Output()
	if err != nil {
		t.Fatalf("locate the Temporal SDK module: %v", err)
	}
	sdk := string(must(os.ReadFile(filepath.Join(strings.TrimSpace(string(sdkDir)), "internal", "common", "metrics", "constants.go"))))
	var literals []string
	for _, m := range regexp.MustCompile(`"([a-z_]+)"`).FindAllStringSubmatch(sdk, -1) {
		literals = append(literals, m[1])
	}
	return literals
}

// concatOf says whether s is a concatenation of parts (the SDK builds
// names such as temporal_request_failure from TemporalRequest + "_failure").
func concatOf(s string, parts []string) bool {
	if s == "" {
		return true
	}
	for _, p := range parts {
		if p != "" && strings.HasPrefix(s, p) && concatOf(s[len(p):], parts) {
			return true
		}
	}
	return false
}
