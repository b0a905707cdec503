package devserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/flock"
	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"

	"github.com/hookflow/hookflow/internal/setup"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Options configures the embedded server. Zero values get the defaults below.
type Options struct {
	IP        string // default 127.0.0.1
	Port      int    // frontend gRPC port; 0 picks a free one
	UIPort    int    // Web UI port; 0 picks a free one; -1 disables the UI
	Namespace string // default "default"
	// DBFile is the SQLite file; empty means in-memory (nothing survives the process).
	DBFile string
	// Retention bounds how long closed runs, and so workflow-id dedupe, are kept. Default 7 days.
	Retention time.Duration
	// SearchAttributes are registered on a new database and added to an existing one.
	SearchAttributes map[string]enumspb.IndexedValueType
	// Unindexed names search attributes that take a handful of values: the
	// run list keeps no index of their columns (see keptIndexes).
	Unindexed []string
	// RareValues limits a search attribute's index to the runs with one of
	// a few values (a status's failed and running, not the completed most
	// runs end with): listing by one of them reads a small index, by
	// another the default order, filtered.
	RareValues    map[string][]string
	Logger        *slog.Logger
	LogLevel      slog.Level // default slog.LevelWarn: the server is chatty
	CodecEndpoint string     // optional, for the Web UI
	// TLS, when set, serves the frontend over TLS (and mTLS): tests prove
	// that hookflow connects to a cluster that requires it.
	TLS *TLS
}

// TLS is the embedded frontend's TLS. The server's own clients (its system
// worker, the search attribute registration, the Web UI) trust CAFile and,
// under mTLS, present ClientCertFile.
type TLS struct {
	CertFile, KeyFile string // the frontend's certificate, PEM
	CAFile            string // the CA that signed CertFile (and client certificates)
	// RequireClientCert turns on mTLS: clients must present a certificate
	// signed by CAFile.
	RequireClientCert             bool
	ClientCertFile, ClientKeyFile string // for the server's own clients under mTLS
	ServerName                    string // name in CertFile; default the IP
}

// clientTLS is the tls.Config of the server's own clients.
func (t *TLS) clientTLS(ip string) (*tls.Config, error) {
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("tls ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls ca %s holds no PEM certificate", t.CAFile)
	}
	conf := &tls.Config{RootCAs: pool, ServerName: t.serverName(ip), MinVersion: tls.VersionTLS12}
	if t.ClientCertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.ClientCertFile, t.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls client certificate: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

func (t *TLS) serverName(ip string) string {
	if t.ServerName != "" {
		return t.ServerName
	}
	return ip
}

// Server is a running embedded Temporal server and Web UI.
type Server struct {
	server    temporal.Server
	ui        *uiserver.Server
	addr      string
	uiAddr    string
	namespace string
	local     *localCalls  // nil under TLS
	dbLock    *flock.Flock // the database file's (file_lock.go); nil in memory
	stopOnce  sync.Once
}

// Addr is the frontend's host:port for SDK clients.
func (s *Server) Addr() string { return s.addr }

// UIAddr is the Web UI's host:port, or "" when the UI is disabled.
func (s *Server) UIAddr() string { return s.uiAddr }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.namespace }

// Start starts the server and, unless disabled, the Web UI. The server is ready
// for clients when Start returns.
func Start(ctx context.Context, o Options) (_ *Server, err error) {
	o.defaults()
	useLoopbackOptions()
	if o.Port == 0 {
		p, err := freePort(o.IP)
		if err != nil {
			return nil, err
		}
		o.Port = p
	}
	if err := portFree(o.IP, o.Port); err != nil {
		return nil, fmt.Errorf("temporal port: %w (choose another with --temporal-port)", err)
	}
	if o.UIPort == 0 {
		p, err := freePort(o.IP)
		if err != nil {
			return nil, err
		}
		o.UIPort = p
	}
	if o.UIPort > 0 {
		if err := portFree(o.IP, o.UIPort); err != nil {
			return nil, fmt.Errorf("web UI port: %w (choose another with --ui-port)", err)
		}
	}

	var dbLock *flock.Flock
	if o.DBFile != "" {
		if dbLock, err = lockDatabaseFile(o.DBFile); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				dbLock.Unlock()
			}
		}()
	}
	sqlConf, err := o.sqlConfig()
	if err != nil {
		return nil, err
	}
	visConf, err := o.visibilitySQLConfig(sqlConf)
	if err != nil {
		return nil, err
	}
	if o.DBFile != "" {
		if err := moveRunList(sqlConf.DatabaseName, visConf.DatabaseName); err != nil {
			return nil, fmt.Errorf("move the run list from %s to %s: %w", sqlConf.DatabaseName, visConf.DatabaseName, err)
		}
	}
	srv, conf, err := o.startTemporal(sqlConf, visConf)
	if err != nil {
		return nil, err
	}
	s := &Server{server: srv, addr: net.JoinHostPort(o.IP, strconv.Itoa(o.Port)), namespace: o.Namespace, dbLock: dbLock}
	if o.TLS == nil {
		// Under TLS the frontend checks certificates, which a local call has none of.
		var addrs []string
		for _, svc := range conf.Services {
			addrs = append(addrs, net.JoinHostPort(svc.RPC.BindOnIP, strconv.Itoa(svc.RPC.GRPCPort)))
		}
		s.local = serveLocally(addrs)
	}
	if err := s.prepareNamespace(ctx, o, visConf); err != nil {
		s.local.close()
		srv.Stop()
		return nil, err
	}
	if o.UIPort > 0 {
		s.uiAddr = net.JoinHostPort(o.IP, strconv.Itoa(o.UIPort))
		s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
			Host:                o.IP,
			Port:                o.UIPort,
			TemporalGRPCAddress: s.addr,
			TLS:                 o.uiTLS(),
			EnableUI:            true,
			DefaultNamespace:    o.Namespace,
			Codec:               uiconfig.Codec{Endpoint: o.CodecEndpoint},
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true, // nothing is fetched from the internet
		}))
		go func() {
			if err := s.ui.Start(); err != nil && !errors.Is(err, net.ErrClosed) {
				o.Logger.Error("web UI stopped", "error", err)
			}
		}()
	}
	return s, nil
}

// Stop stops the UI and the server, and lets another take its database.
// Calls after the first do nothing.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.ui != nil {
			s.ui.Stop()
		}
		s.local.close()
		s.server.Stop()
		if s.dbLock != nil {
			s.dbLock.Unlock()
		}
	})
}

func (o *Options) defaults() {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Retention == 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.LogLevel == 0 {
		o.LogLevel = slog.LevelWarn
	}
}

// dynamicConfig holds the settings that differ from the server's defaults.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Fire timers, and so activity retries, when due rather than rounded up to a second.
		dynamicconfig.TimerProcessorMaxTimeShift.Key(): 10 * time.Millisecond,
		// The dev worker lives in the same process as the client: start workflows eagerly.
		dynamicconfig.EnableEagerWorkflowStart.Key(): true,
		// A caller waiting for a run's next event or its close (the SDK's
		// run.Get, the Web UI's live history) waits in the history service
		// on a notification channel that holds one notification and drops
		// the next while it is full (Temporal 1.32.1, events.NotifierImpl).
		// With the dev process's calls local, a run's last steps follow
		// each other within a millisecond, and the close was dropped often
		// enough that a waiting caller saw it only when its 20 s poll ran
		// out; it asks again after 2 s at most.
		dynamicconfig.HistoryLongPollExpirationInterval.Key():            2 * time.Second,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 200,
		// Workflows whose mutable state stays in memory. A webhook run is done
		// in milliseconds, and what touches it afterwards (its workflow task
		// timeout timer, 4 s on) finds it cached at up to 500 runs/s with
		// 2,048 entries. 8,192 held finished runs: steady 40 events/s went
		// from 170 to 379 MB RSS in 150 s and rising, 264 MB flat with 1,024,
		// the same CPU per event (hookbench --rate 40 --duration 150s).
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 2048,
		// Each shard's transfer queue reader polls at most 20 times a second by
		// default, so under a steady stream every task it hands on (a run's
		// first workflow task without eager start, an activity, a signal) waited
		// up to 50 ms: serve + worker delivered a call 50 ms after the POST,
		// 7 ms with this (BenchmarkE2ELatency).
		dynamicconfig.TransferProcessorMaxPollRPS.Key(): 1000,
		// The run list is written by its own queue: reading that queue at
		// most 5 times a second lets a run that finishes within 200 ms (a
		// webhook run, most of the time) reach the list once, when it
		// closes, instead of once when it starts and again when it
		// closes. A run appears in lists up to 200 ms after it starts.
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(): 5,
		// Temporal walks every new history event for payloads kept in
		// external storage, to count their size; hookflow keeps none.
		dynamicconfig.ExternalPayloadsEnabled.Key(): false,
		// A closed run is deleted when its retention ends, not at a random
		// point in the 30 minutes after: the deletion timers are then
		// written in the order they fire and append to the timer table
		// (clustered_tables.go) instead of filling it at random.
		dynamicconfig.RetentionTimerJitterDuration.Key(): time.Duration(0),
		// Each history task queue runs its tasks on a pool of goroutines,
		// 512 by default (sized for a cluster's database with many
		// connections). Here every task ends at one SQLite connection, and
		// the pools only cost: a task goes to the pool's longest-idle
		// goroutine, so a steady stream rotates through all 512, each on a
		// cold stack that GC has shrunk and the task grows again, and every
		// GC scans 2,000 idle stacks (replication's pools included; the
		// embedded server replicates nothing).
		dynamicconfig.TransferProcessorSchedulerWorkerCount.Key():               queueWorkers,
		dynamicconfig.TimerProcessorSchedulerWorkerCount.Key():                  queueWorkers,
		dynamicconfig.VisibilityProcessorSchedulerWorkerCount.Key():             queueWorkers,
		dynamicconfig.MemoryTimerProcessorSchedulerWorkerCount.Key():            queueWorkers,
		dynamicconfig.ReplicationProcessorSchedulerWorkerCount.Key():            2,
		dynamicconfig.ReplicationLowPriorityProcessorSchedulerWorkerCount.Key(): 2,
	}
}

// queueWorkers is each history task queue's pool on the embedded server.
const queueWorkers = 16

func (o *Options) sqlConfig() (*config.SQL, error) {
	var conf *config.SQL
	if o.DBFile == "" {
		conf = memorySQLConfig("hookflow-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	} else {
		conf = fileSQLConfig(o.DBFile)
		var rebuilding func(string) // an older file's tables, once: say so before a large one holds up the start
		if st, err := os.Stat(conf.DatabaseName); err == nil && st.Size() > 0 {
			rebuilding = func(table string) {
				o.Logger.Info("rebuilding a table keyed by its primary key (WITHOUT ROWID), once", "database", conf.DatabaseName, "table", table)
			}
		}
		if err := ensureDatabase(conf); err != nil {
			return nil, err
		}
		moved, err := clusterTables(conf.DatabaseName, rebuilding)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", conf.DatabaseName, err)
		}
		for _, table := range clusteredTables { // an older file's, once
			if n := moved[table]; n > 0 {
				o.Logger.Info("table rebuilt keyed by its primary key (WITHOUT ROWID)", "database", conf.DatabaseName, "table", table, "rows", n)
			}
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", o.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(o.Retention)
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("namespace %s: %w", o.Namespace, err)
	}
	return conf, nil
}

// startAttempts bounds how often Start picks new ports for the server's
// internal services when one was taken between choosing it and listening.
const startAttempts = 3

// startTemporal builds and starts the Temporal server. The internal
// services' ports are chosen free, but another process can take one before
// the server listens on it: the server then calls its logger's Fatal, which
// panics here (catchFatal), and a new set of ports is tried.
func (o *Options) startTemporal(sqlConf, visConf *config.SQL) (temporal.Server, *config.Config, error) {
	var err error
	for range startAttempts {
		conf, cerr := o.serverConfig(visConf)
		if cerr != nil {
			return nil, nil, cerr
		}
		var srv temporal.Server
		err = catchFatal(func() error {
			var nerr error
			if srv, nerr = o.newTemporal(conf, sqlConf); nerr != nil {
				return nerr
			}
			if serr := srv.Start(); serr != nil {
				return fmt.Errorf("start temporal server: %w", serr)
			}
			return nil
		})
		var fatal *fatalError
		if err == nil || !errors.As(err, &fatal) || !fatal.listener() {
			return srv, conf, err
		}
	}
	return nil, nil, err
}

func (o *Options) newTemporal(conf *config.Config, sqlConf *config.SQL) (temporal.Server, error) {
	logger := slogLogger{log: o.Logger, level: o.LogLevel}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("temporal authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("temporal claim mapper: %w", err)
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(o.IP, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
		temporal.WithCustomDataStoreFactory(sqlWithFreshRuns{conf: *preparedStore(sqlConf)}),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	return srv, nil
}

func memorySQLConfig(name string) *config.SQL {
	return &config.SQL{PluginName: sqliteplugin.PluginName, MaxConns: 1, MaxIdleConns: 1, DatabaseName: name,
		ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"}}
}

// fileSQLConfig is a database file in WAL mode with synchronous=NORMAL: a
// killed process loses nothing committed; an OS crash or power loss may lose
// the last transactions. The WAL is checkpointed every walCheckpointPages.
// Temporary data stays in memory (temp_store): a statement inside a
// transaction that can fail halfway keeps the pages it changes in a
// statement journal, which SQLite otherwise writes to a temporary file once
// it passes 64 KB, as a run-list row's does in a batch (run_list_batches.go).
func fileSQLConfig(file string) *config.SQL {
	return &config.SQL{PluginName: sqliteplugin.PluginName, MaxConns: 1, MaxIdleConns: 1, DatabaseName: file,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "NORMAL", "busy_timeout": "10000",
			"wal_autocheckpoint": strconv.Itoa(walCheckpointPages), "temp_store": "MEMORY"}}
}

// walCheckpointPages is how many pages the WAL takes before a commit
// copies them into the database: 4 MB of 8 KB pages, what SQLite's default
// of 1,000 pages was with 4 KB ones. The checkpoint runs on the file's one
// connection, and everything waits for it: a smaller one waits less, and
// the two files' WAL stays under 10 MB (TestWALStaysSmall). The rare steady-
// load stalls this was first set against lined up with the VM's CPU steal
// at first; later ones (2026-12-02) with this checkpoint's fsyncs, 44-447 ms
// on a slow disk, during which every write waits. Copying the WAL every
// 250 ms on a connection of its own took those syncs out of the commits but
// cost 5-12% more CPU per event, with no p99 gain measured, and was dropped
// (docs/performance.md, 2026-12-02 04:13).
const walCheckpointPages = 512

// ensureDatabase makes the file conf names, with Temporal's schema in it,
// when it is missing or empty (a crash right after creating it, or a tool
// that opened the name and made an empty file).
func ensureDatabase(conf *config.SQL) error {
	file := conf.DatabaseName
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("database %s: %w", file, err)
	case st.Size() > 0:
		return nil
	}
	return createDatabase(conf)
}

// makeDatabaseDir makes the directory of the database file, for this user
// alone: the runs in it hold customer data.
func makeDatabaseDir(file string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("database directory: %w", err)
	}
	return nil
}

// createDatabase makes the file conf names, or fills it if it is empty,
// with Temporal's schema.
func createDatabase(conf *config.SQL) error {
	file := conf.DatabaseName
	// Runs hold customer data: only this user may read them. SQLite gives
	// its -wal and -shm files the database file's mode.
	if err := makeDatabaseDir(file); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create database %s: %w", file, err)
	}
	err = f.Chmod(0o600) // an empty file someone else made
	f.Close()
	if err != nil {
		return fmt.Errorf("create database %s: %w", file, err)
	}
	if err := setPageSize(file); err != nil {
		return fmt.Errorf("create database %s: %w", file, err)
	}
	if err := sqliteschema.SetupSchema(conf); err != nil {
		return fmt.Errorf("create database %s: %w", file, err)
	}
	return nil
}

// openDirect is a connection of the dev server's own to file, beside
// Temporal's stores: for the changes it makes to a file before the server
// opens it, and to the run list's indexes after. It waits up to 10 s for a
// write of Temporal's to finish.
func openDirect(file string) (*sql.DB, error) {
	pinHeapPages()
	return sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
}

// pageSize is the new database files' page size. A run's history is two
// rows of about 2 KB: 4 KB pages (SQLite's default) left a quarter of the
// history table empty, 8 KB pages fill it better and touch fewer pages per
// write; hookbench: 9% less disk per event and no more CPU (README →
// Performance). A file keeps the page size it was made with.
const pageSize = 8192

// setPageSize gives the new, empty database file its page size, fixed by
// the first write: switching to WAL.
func setPageSize(file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=page_size("+strconv.Itoa(pageSize)+")")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("PRAGMA journal_mode=WAL")
	return err
}

func (o *Options) serverConfig(visConf *config.SQL) (*config.Config, error) {
	httpPort, err := internalPort(o.IP)
	if err != nil {
		return nil, err
	}
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = o.IP
	conf.Persistence.DefaultStore = "sqlite"
	conf.Persistence.VisibilityStore = "sqlite-visibility"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{
		// Temporal's SQL store through preparedPlugin, with freshRuns in
		// front of its runs' state (newTemporal passes the factory).
		"sqlite":            {CustomDataStoreConfig: &config.CustomDatastoreConfig{Name: freshRunsStoreName}},
		"sqlite-visibility": {SQL: preparedStore(visConf)},
	}
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(o.IP, strconv.Itoa(httpPort)),
				ClusterID:              clusterID,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = o.IP
		if name == "frontend" {
			svc.RPC.GRPCPort = o.Port
			svc.RPC.HTTPPort = httpPort
		} else {
			p, err := internalPort(o.IP)
			if err != nil {
				return nil, err
			}
			svc.RPC.GRPCPort = p
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	if t := o.TLS; t != nil {
		conf.Global.TLS.Frontend.Server = config.ServerTLS{CertFile: t.CertFile, KeyFile: t.KeyFile}
		if t.RequireClientCert {
			conf.Global.TLS.Frontend.Server.RequireClientAuth = true
			conf.Global.TLS.Frontend.Server.ClientCAFiles = []string{t.CAFile}
		}
		// The system worker is a client of the frontend like any other.
		conf.Global.TLS.SystemWorker = config.WorkerTLS{
			CertFile: t.ClientCertFile,
			KeyFile:  t.ClientKeyFile,
			Client:   config.ClientTLS{RootCAFiles: []string{t.CAFile}, ServerName: t.serverName(o.IP)},
		}
	}
	return &conf, nil
}

// uiTLS is how the Web UI reaches a TLS frontend.
func (o *Options) uiTLS() uiconfig.TLS {
	if o.TLS == nil {
		return uiconfig.TLS{}
	}
	return uiconfig.TLS{CaFile: o.TLS.CAFile, CertFile: o.TLS.ClientCertFile, KeyFile: o.TLS.ClientKeyFile, ServerName: o.TLS.serverName(o.IP), EnableHostVerification: true}
}

// clusterID is fixed so a dev database reopens as the same cluster.
const clusterID = "6b1a5f3e-8c1d-4e0a-9a57-5d3c0f2b7e11"

// prepareNamespace registers the search attributes a database made by an
// older hookflow lacks (a new database got them at creation) and, for a
// file database, fits the run list's indexes to them, through one client.
func (s *Server) prepareNamespace(ctx context.Context, o Options, visConf *config.SQL) error {
	opts := client.Options{HostPort: s.addr, Namespace: s.namespace, Logger: quietSDKLogger{}}
	if o.TLS != nil {
		conf, err := o.TLS.clientTLS(o.IP)
		if err != nil {
			return err
		}
		opts.ConnectionOptions.TLS = conf
	}
	c, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("connect to embedded temporal: %w", err)
	}
	defer c.Close()
	if _, err := setup.RegisterSearchAttributes(ctx, c, s.namespace, o.SearchAttributes); err != nil {
		return err
	}
	if o.DBFile == "" {
		return nil
	}
	return trimVisibilityIndexes(ctx, c, s.namespace, visConf.DatabaseName, columnIndexing{unindexed: o.Unindexed, rare: o.RareValues})
}

type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...any) {}
func (quietSDKLogger) Info(string, ...any)  {}
func (quietSDKLogger) Warn(string, ...any)  {}
func (quietSDKLogger) Error(string, ...any) {}
