package googlesheets

import (
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// classify adds what to check to Google's error statuses.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusForbidden:
		e.Message += " (share the spreadsheet with the service account's client_email as an editor, and enable the Sheets API in its project)"
	case http.StatusNotFound:
		e.Message += " (check spreadsheet_id, and that the service account can see the spreadsheet)"
	}
	return e
}
