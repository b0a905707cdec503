package googlesheets

import (
	"slices"

	"github.com/hookflow/hookflow/integrations"
)

// appendRows adds rows after the last row of the table in range:
//
//	call: sheet.append_rows
//	with:
//	  range: Orders!A:E                       # required: the sheet (and columns) of the table
//	  row: ["${{ payload.name }}", "${{ payload.email }}", "${{ payload.total_price }}"]
//	  # or rows: [[…], […]]
//	  spreadsheet_id: 1Bxi…                   # default: the integration's
//	  value_input: USER_ENTERED               # or RAW
//
// POST /v4/spreadsheets/{id}/values/{range}:append?valueInputOption=…&insertDataOption=INSERT_ROWS
// with a ValueRange {range, majorDimension: ROWS, values}. New rows are
// inserted, never written over a neighbour's. Sheets takes no idempotency
// key: a retry after a lost answer can append the rows twice. Output:
// {spreadsheet_id, table_range, updated_range, updated_rows,
// updated_cells, row}; row is the first appended row's number, for a
// later update_rows.
func (s *sheets) appendRows() *integrations.Op {
	return &integrations.Op{
		Path:     "spreadsheets/{spreadsheet_id}/values/{range}",
		Required: []string{"range"},
		Optional: slices.Clone(rowFields),
		Build: func(in *integrations.In) (any, error) {
			body, err := s.valueRange(in, ":append")
			if err != nil {
				return nil, err
			}
			in.Query.Set("insertDataOption", "INSERT_ROWS")
			return body, nil
		},
		Output: func(r *integrations.Response) (any, error) {
			var a struct {
				TableRange string  `json:"tableRange"`
				Updates    updated `json:"updates"`
			}
			if err := integrations.DecodeJSON(r, &a); err != nil {
				return nil, err
			}
			out := a.Updates.output()
			out["table_range"] = a.TableRange
			return out, nil
		},
	}
}
