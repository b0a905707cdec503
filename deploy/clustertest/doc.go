// Package clustertest proves hookflow on a real Temporal cluster, with no
// embedded server: PostgreSQL as Temporal's persistence, two nodes of the
// official Temporal server built from the server module in go.mod, two
// `hookflow serve` and two `hookflow worker` processes, a retrying sender and
// a deduplicating receiver. It kills a worker, a serve and a Temporal node
// under load, then stops Temporal entirely, and checks that no acknowledged
// event is lost and none runs twice.
//
// The test is slow (minutes) and needs PostgreSQL's initdb and pg_ctl
// (Debian's postgresql package), so it sits behind a build tag and `.ci/run`
// runs it as its own step:
//
//	go test -tags cluster ./deploy/clustertest -v -timeout 20m
//
// BenchmarkClusterWorkers runs the load tool (cmd/hookbench) against one
// serve on one node with one worker, then two (README "Performance"):
//
//	go test -tags cluster ./deploy/clustertest -run '^$' -bench ClusterWorkers -benchtime 1x -v
package clustertest
