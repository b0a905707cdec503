package devserver

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/server/chasm"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/serialization"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/resolver"
)

// The history service starts a run in a context of its own, outside its
// cache of runs' state, so the first workflow task a run completes reads
// back from the database what the start had just written: the run's row
// and the eight tables beside it, nine statements and a decompression per
// run, about a twentieth of a steady event's CPU (README → Performance).
// freshRuns keeps each new run's state as the start wrote it and answers
// that first read from memory. The dev server's process is the only writer
// of its database (a second dev server on the file is refused at start:
// file_lock.go), and every write to a run passes through here, so a run
// it holds has nothing newer in the database: any other write to the run
// drops it first, and a run is answered from memory once at most (the
// history service caches it from then on).

// freshRunsMax bounds the runs held: a start whose run is never read (its
// workflow task timed out, the process stops) stays until this many newer
// starts push it out.
const freshRunsMax = 1024

// freshRunsStoreName names the custom data store the dev server's main
// database is opened as (Temporal's SQL store, with freshRuns in front).
// Temporal checks a SQL store's schema version at start, not a custom
// one's; for SQLite that check does nothing (1.32.1: its VerifyVersion
// returns nil), so nothing is lost: the dev server makes the schema.
const freshRunsStoreName = "hookflow-sqlite"

// verifyFreshRun, when a test sets it, is called with each read answered
// from memory before it is answered (the test reads the store too and
// compares).
var verifyFreshRun atomic.Pointer[func(context.Context, persistence.ExecutionStore, *persistence.GetWorkflowExecutionRequest, *persistence.InternalWorkflowMutableState)]

// sqlWithFreshRuns makes Temporal's SQL data store for conf, with freshRuns
// in front of its execution store and each write of a run's history and
// state in one transaction (one_transaction.go).
type sqlWithFreshRuns struct{ conf config.SQL }

func (s sqlWithFreshRuns) NewFactory(_ config.CustomDatastoreConfig, r resolver.ServiceResolver, clusterName string,
	logger log.Logger, mh metrics.Handler, serializer serialization.Serializer) persistence.DataStoreFactory {
	return freshRunsFactory{persistencesql.NewFactory(s.conf, r, clusterName, logger, mh, serializer)}
}

type freshRunsFactory struct{ *persistencesql.Factory }

func (f freshRunsFactory) NewExecutionStore() (persistence.ExecutionStore, error) {
	s, err := f.Factory.NewExecutionStore()
	if err != nil {
		return nil, err
	}
	return newFreshRuns(oneTransaction{s}, freshRunsMax), nil
}

// runKey names a run as the execution store does.
type runKey struct {
	shard                        int32
	archetype                    chasm.ArchetypeID
	namespace, workflowID, runID string
}

// freshRun is a run being started (state nil until its start returns) or
// started and not read since.
type freshRun struct {
	state *persistence.InternalWorkflowMutableState
}

type freshRuns struct {
	persistence.ExecutionStore

	mu   sync.Mutex
	runs map[runKey]*freshRun
	// recent are the last len(recent) runs registered, a ring whose next
	// registration replaces recent[next]: a run registered that long ago
	// is dropped if still held (it holds at most len(recent)).
	recent []runKey
	next   int
}

func newFreshRuns(s persistence.ExecutionStore, max int) *freshRuns {
	return &freshRuns{ExecutionStore: s, runs: make(map[runKey]*freshRun), recent: make([]runKey, max)}
}

func snapshotKey(shard int32, archetype chasm.ArchetypeID, s *persistence.InternalWorkflowSnapshot) runKey {
	return runKey{shard, archetype, s.NamespaceID, s.WorkflowID, s.RunID}
}

func mutationKey(shard int32, archetype chasm.ArchetypeID, m *persistence.InternalWorkflowMutation) runKey {
	return runKey{shard, archetype, m.NamespaceID, m.WorkflowID, m.RunID}
}

// CreateWorkflowExecution writes the run and, once written, holds its state.
// A write to the run that begins before this one returns drops the entry
// it registered first, so the state is never held over a newer one.
func (s *freshRuns) CreateWorkflowExecution(ctx context.Context, req *persistence.InternalCreateWorkflowExecutionRequest) (*persistence.InternalCreateWorkflowExecutionResponse, error) {
	k := snapshotKey(req.ShardID, req.ArchetypeID, &req.NewWorkflowSnapshot)
	entry := s.register(k)
	resp, err := s.ExecutionStore.CreateWorkflowExecution(ctx, req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs[k] != entry {
		return resp, err
	}
	if err != nil {
		delete(s.runs, k)
		return resp, err
	}
	entry.state = stateAsRead(&req.NewWorkflowSnapshot)
	return resp, nil
}

// register puts a new entry for k, replacing any, in place of the run
// registered len(s.recent) registrations ago.
func (s *freshRuns) register(k runKey) *freshRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runs, s.recent[s.next])
	s.recent[s.next] = k
	s.next = (s.next + 1) % len(s.recent)
	entry := &freshRun{}
	s.runs[k] = entry
	return entry
}

// GetWorkflowExecution answers a held run from memory, once.
func (s *freshRuns) GetWorkflowExecution(ctx context.Context, req *persistence.GetWorkflowExecutionRequest) (*persistence.InternalGetWorkflowExecutionResponse, error) {
	k := runKey{req.ShardID, req.ArchetypeID, req.NamespaceID, req.WorkflowID, req.RunID}
	s.mu.Lock()
	entry, held := s.runs[k]
	held = held && entry.state != nil // not while its start is under way
	if held {
		delete(s.runs, k)
	}
	s.mu.Unlock()
	if !held {
		return s.ExecutionStore.GetWorkflowExecution(ctx, req)
	}
	if verify := verifyFreshRun.Load(); verify != nil {
		(*verify)(ctx, s.ExecutionStore, req, entry.state)
	}
	return &persistence.InternalGetWorkflowExecutionResponse{State: entry.state, DBRecordVersion: entry.state.DBRecordVersion}, nil
}

// forget drops the runs a write is about to change.
func (s *freshRuns) forget(keys ...runKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.runs, k)
	}
}

func (s *freshRuns) UpdateWorkflowExecution(ctx context.Context, req *persistence.InternalUpdateWorkflowExecutionRequest) error {
	keys := []runKey{mutationKey(req.ShardID, req.ArchetypeID, &req.UpdateWorkflowMutation)}
	if req.NewWorkflowSnapshot != nil {
		keys = append(keys, snapshotKey(req.ShardID, req.ArchetypeID, req.NewWorkflowSnapshot))
	}
	s.forget(keys...)
	return s.ExecutionStore.UpdateWorkflowExecution(ctx, req)
}

func (s *freshRuns) ConflictResolveWorkflowExecution(ctx context.Context, req *persistence.InternalConflictResolveWorkflowExecutionRequest) error {
	keys := []runKey{snapshotKey(req.ShardID, req.ArchetypeID, &req.ResetWorkflowSnapshot)}
	if req.NewWorkflowSnapshot != nil {
		keys = append(keys, snapshotKey(req.ShardID, req.ArchetypeID, req.NewWorkflowSnapshot))
	}
	if req.CurrentWorkflowMutation != nil {
		keys = append(keys, mutationKey(req.ShardID, req.ArchetypeID, req.CurrentWorkflowMutation))
	}
	s.forget(keys...)
	return s.ExecutionStore.ConflictResolveWorkflowExecution(ctx, req)
}

func (s *freshRuns) SetWorkflowExecution(ctx context.Context, req *persistence.InternalSetWorkflowExecutionRequest) error {
	s.forget(snapshotKey(req.ShardID, req.ArchetypeID, &req.SetWorkflowSnapshot))
	return s.ExecutionStore.SetWorkflowExecution(ctx, req)
}

func (s *freshRuns) DeleteWorkflowExecution(ctx context.Context, req *persistence.DeleteWorkflowExecutionRequest) error {
	s.forget(runKey{req.ShardID, req.ArchetypeID, req.NamespaceID, req.WorkflowID, req.RunID})
	return s.ExecutionStore.DeleteWorkflowExecution(ctx, req)
}

// stateAsRead is the state Temporal's SQL store reads back for a run whose
// start wrote snap: the same blobs (their bytes are not written to after),
// empty maps where the start wrote none, no buffered events and no
// checksum (the store keeps none).
func stateAsRead(snap *persistence.InternalWorkflowSnapshot) *persistence.InternalWorkflowMutableState {
	signals := slices.Collect(maps.Keys(snap.SignalRequestedIDs))
	if signals == nil {
		signals = []string{}
	}
	return &persistence.InternalWorkflowMutableState{
		ActivityInfos:       blobMap(snap.ActivityInfos),
		TimerInfos:          blobMap(snap.TimerInfos),
		ChildExecutionInfos: blobMap(snap.ChildExecutionInfos),
		RequestCancelInfos:  blobMap(snap.RequestCancelInfos),
		SignalInfos:         blobMap(snap.SignalInfos),
		ChasmNodes:          chasmNodesAsRead(snap.ChasmNodes),
		SignalRequestedIDs:  signals,
		ExecutionInfo:       blobAsRead(snap.ExecutionInfoBlob),
		ExecutionState:      blobAsRead(snap.ExecutionStateBlob),
		NextEventID:         snap.NextEventID,
		DBRecordVersion:     snap.DBRecordVersion,
	}
}

func blobMap[K comparable](m map[K]*commonpb.DataBlob) map[K]*commonpb.DataBlob {
	out := make(map[K]*commonpb.DataBlob, len(m))
	for k, b := range m {
		out[k] = blobAsRead(b)
	}
	return out
}

func chasmNodesAsRead(m map[string]persistence.InternalChasmNode) map[string]persistence.InternalChasmNode {
	out := make(map[string]persistence.InternalChasmNode, len(m))
	for k, n := range m {
		out[k] = persistence.InternalChasmNode{Metadata: blobAsRead(n.Metadata), Data: blobAsRead(n.Data)}
	}
	return out
}

// blobAsRead is a fresh DataBlob with b's encoding and bytes, as the store
// makes one for each column it reads.
func blobAsRead(b *commonpb.DataBlob) *commonpb.DataBlob {
	return &commonpb.DataBlob{EncodingType: b.GetEncodingType(), Data: b.GetData()}
}
