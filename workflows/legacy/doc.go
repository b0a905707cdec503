// Package legacy is the run model of runs started before hookflow 0.2: the
// HandleEvent workflow as it was (RouteEvent through Visibility, `if`
// inside CallStep, one CallStep activity per step), and the health monitor
// loop before it read its checks from the worker's project.
//
// It is frozen. Workers register it so that runs in flight when a worker is
// upgraded finish with the code that started them, and so that their
// recorded histories keep replaying (workflows/testdata). Never change what
// it does; new behaviour goes in package workflows. Its types are copies of
// the ones it was recorded with, so a change to the live types cannot
// change how an old history decodes.
package legacy
