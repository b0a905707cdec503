// Package inspector is a local request bin: it records every request sent to
// /inspect/{bin}/..., answers it, and shows what it got as JSON and on a small
// page. The samples point their CRM, shop and chat integrations at it, so
// `hookflow dev` works with no vendor account.
package inspector
