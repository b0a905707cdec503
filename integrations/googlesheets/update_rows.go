package googlesheets

import (
	"net/http"
	"slices"

	"github.com/hookflow/hookflow/integrations"
)

// updateRows writes rows over the cells of range:
//
//	call: sheet.update_rows
//	with:
//	  range: "Orders!D${{ steps.log.output.row }}"   # required: where the first row starts
//	  row: [shipped, "${{ payload.tracking_number }}"]
//	  spreadsheet_id: 1Bxi…                            # default: the integration's
//	  value_input: USER_ENTERED                        # or RAW
//
// PUT /v4/spreadsheets/{id}/values/{range}?valueInputOption=… with a
// ValueRange {range, majorDimension: ROWS, values}. Writing the same
// values again is harmless, so retries are safe. Output: {spreadsheet_id,
// updated_range, updated_rows, updated_cells, row}.
func (s *sheets) updateRows() *integrations.Op {
	return &integrations.Op{
		Method:   http.MethodPut,
		Path:     "spreadsheets/{spreadsheet_id}/values/{range}",
		Required: []string{"range"},
		Optional: slices.Clone(rowFields),
		Build: func(in *integrations.In) (any, error) {
			return s.valueRange(in, "")
		},
		Output: func(r *integrations.Response) (any, error) {
			var u updated
			if err := integrations.DecodeJSON(r, &u); err != nil {
				return nil, err
			}
			return u.output(), nil
		},
	}
}
