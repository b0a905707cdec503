package devserver

import (
	"context"
	"reflect"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// preparedExecutionDB reads a run's state (its row in executions and its
// rows in the eight tables beside it) with statements compiled once
// (prepared_plugin.go). The history service loads that state each time a
// run is not in its cache: the first workflow task a run completes after an
// eager start always misses, as the start does not cache the run. Through
// Temporal's plugin the nine statements were compiled on every load. The
// reads run outside any transaction, as they did: a second connection sees
// every transaction Temporal's connection has committed.
//
// The SQL is Temporal's SQLite plugin's (sqlite/execution.go and
// execution_maps.go); TestRunStateReadsMatchTemporal reads the same rows
// through both.
type preparedExecutionDB struct{ preparedDB }

const runKeyWhere = ` WHERE shard_id = ? AND namespace_id = ? AND workflow_id = ? AND run_id = ?`

const (
	executionQuery          = `SELECT shard_id, namespace_id, workflow_id, run_id, next_event_id, last_write_version, data, data_encoding, state, state_encoding, db_record_version FROM executions` + runKeyWhere
	activityInfoQuery       = `SELECT schedule_id, data, data_encoding FROM activity_info_maps` + runKeyWhere
	timerInfoQuery          = `SELECT timer_id, data, data_encoding FROM timer_info_maps` + runKeyWhere
	childExecutionInfoQuery = `SELECT initiated_id, data, data_encoding FROM child_execution_info_maps` + runKeyWhere
	requestCancelInfoQuery  = `SELECT initiated_id, data, data_encoding FROM request_cancel_info_maps` + runKeyWhere
	signalInfoQuery         = `SELECT initiated_id, data, data_encoding FROM signal_info_maps` + runKeyWhere
	signalsRequestedQuery   = `SELECT signal_id FROM signals_requested_sets` + runKeyWhere
	chasmNodeQuery          = `SELECT chasm_path, metadata, metadata_encoding, data, data_encoding FROM chasm_node_maps` + runKeyWhere
	bufferedEventsQuery     = `SELECT data, data_encoding FROM buffered_events` + runKeyWhere + ` ORDER BY id`
)

// runKey is a run's primary key as the queries' parameters; every filter
// of the nine reads has the same four fields.
func runKey(f sqlplugin.ExecutionsFilter) []any {
	return []any{f.ShardID, f.NamespaceID, f.WorkflowID, f.RunID}
}

// selectRows reads query's rows for the run, with the run's key set on
// each (the queries select only the other columns, as Temporal's do), nil
// when there are none (as sqlx leaves it for Temporal's plugin).
func selectRows[R any](ctx context.Context, d *preparedExecutionDB, query string, f sqlplugin.ExecutionsFilter) ([]R, error) {
	s, err := d.conn.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var rows []R
	if err := s.SelectContext(ctx, &rows, runKey(f)...); err != nil {
		return nil, err
	}
	key := reflect.ValueOf(f)
	for i := range rows {
		row := reflect.ValueOf(&rows[i]).Elem()
		for _, name := range runKeyFields {
			row.FieldByName(name).Set(key.FieldByName(name))
		}
	}
	return rows, nil
}

// runKeyFields are the run's key in a filter and in every row type of the
// nine reads (TestRunStateReadsMatchTemporal fails without any one).
var runKeyFields = []string{"ShardID", "NamespaceID", "WorkflowID", "RunID"}

// SelectFromExecutions returns sql.ErrNoRows itself for a run that is not
// there: the store compares the error with it.
func (d *preparedExecutionDB) SelectFromExecutions(ctx context.Context, f sqlplugin.ExecutionsFilter) (*sqlplugin.ExecutionsRow, error) {
	s, err := d.conn.stmt(ctx, executionQuery)
	if err != nil {
		return nil, err
	}
	var row sqlplugin.ExecutionsRow
	if err := s.GetContext(ctx, &row, runKey(f)...); err != nil {
		return nil, err
	}
	return &row, nil
}

func (d *preparedExecutionDB) SelectAllFromActivityInfoMaps(ctx context.Context, f sqlplugin.ActivityInfoMapsAllFilter) ([]sqlplugin.ActivityInfoMapsRow, error) {
	return selectRows[sqlplugin.ActivityInfoMapsRow](ctx, d, activityInfoQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromTimerInfoMaps(ctx context.Context, f sqlplugin.TimerInfoMapsAllFilter) ([]sqlplugin.TimerInfoMapsRow, error) {
	return selectRows[sqlplugin.TimerInfoMapsRow](ctx, d, timerInfoQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromChildExecutionInfoMaps(ctx context.Context, f sqlplugin.ChildExecutionInfoMapsAllFilter) ([]sqlplugin.ChildExecutionInfoMapsRow, error) {
	return selectRows[sqlplugin.ChildExecutionInfoMapsRow](ctx, d, childExecutionInfoQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromRequestCancelInfoMaps(ctx context.Context, f sqlplugin.RequestCancelInfoMapsAllFilter) ([]sqlplugin.RequestCancelInfoMapsRow, error) {
	return selectRows[sqlplugin.RequestCancelInfoMapsRow](ctx, d, requestCancelInfoQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromSignalInfoMaps(ctx context.Context, f sqlplugin.SignalInfoMapsAllFilter) ([]sqlplugin.SignalInfoMapsRow, error) {
	return selectRows[sqlplugin.SignalInfoMapsRow](ctx, d, signalInfoQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromSignalsRequestedSets(ctx context.Context, f sqlplugin.SignalsRequestedSetsAllFilter) ([]sqlplugin.SignalsRequestedSetsRow, error) {
	return selectRows[sqlplugin.SignalsRequestedSetsRow](ctx, d, signalsRequestedQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectAllFromChasmNodeMaps(ctx context.Context, f sqlplugin.ChasmNodeMapsAllFilter) ([]sqlplugin.ChasmNodeMapsRow, error) {
	return selectRows[sqlplugin.ChasmNodeMapsRow](ctx, d, chasmNodeQuery, sqlplugin.ExecutionsFilter(f))
}

func (d *preparedExecutionDB) SelectFromBufferedEvents(ctx context.Context, f sqlplugin.BufferedEventsFilter) ([]sqlplugin.BufferedEventsRow, error) {
	return selectRows[sqlplugin.BufferedEventsRow](ctx, d, bufferedEventsQuery, sqlplugin.ExecutionsFilter(f))
}
