package googlesheets

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// rowFields are the `with` fields both operations take.
var rowFields = []string{"spreadsheet_id", "rows", "row", "value_input"}

// target reads the spreadsheet id (the call's, or the integration's) and
// the A1 range into the path.
func (s *sheets) target(in *integrations.In, suffix string) (string, error) {
	id, err := in.OptString("spreadsheet_id")
	if err != nil {
		return "", err
	}
	if id == "" {
		id = s.spreadsheet
	}
	switch {
	case id == "":
		return "", fmt.Errorf("with.spreadsheet_id is required (or set spreadsheet_id on the integration)")
	case !spreadsheetRE.MatchString(id):
		return "", fmt.Errorf("with.spreadsheet_id must be a spreadsheet id, the part of its URL after /spreadsheets/d/")
	}
	rng, err := in.String("range")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(rng) == "" {
		return "", fmt.Errorf("with.range must be an A1 range such as Orders!A:E or Orders")
	}
	in.Params["spreadsheet_id"] = id
	// The method is part of the range's segment ({range}:append), and the
	// range stays one escaped segment.
	in.Params["range"] = rng + suffix
	return rng, nil
}

// values reads `rows` (a list of rows) or `row` (one row) into the
// request's values: each cell a string, number or bool; null is an empty
// cell.
func values(in *integrations.In) ([][]any, error) {
	rows, err := in.List("rows")
	if err != nil {
		return nil, err
	}
	one, err := in.List("row")
	if err != nil {
		return nil, err
	}
	switch {
	case rows != nil && one != nil:
		return nil, fmt.Errorf("with.rows and with.row: give one (row is a single row, rows a list of them)")
	case one != nil:
		rows = []any{one}
	case rows == nil:
		return nil, fmt.Errorf("with.rows (a list of rows) or with.row (one row) is required")
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("with.rows must hold at least one row")
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		field := fmt.Sprintf("with.rows[%d]", i)
		if one != nil {
			field = "with.row"
		}
		cells, ok := r.([]any)
		if !ok {
			return nil, fmt.Errorf("%s must be a list of cell values", field)
		}
		out[i] = make([]any, len(cells))
		for j, c := range cells {
			switch c := c.(type) {
			case nil:
				out[i][j] = ""
			case string, bool, float64, int, int64, uint64:
				out[i][j] = c
			default:
				if n, ok := c.(interface{ String() string }); ok { // json.Number
					out[i][j] = n.String()
					continue
				}
				return nil, fmt.Errorf("%s[%d] must be a string, number or true/false, got %s", field, j, integrations.Describe(c))
			}
		}
	}
	return out, nil
}

// valueInput is how Sheets reads the values: USER_ENTERED (the default:
// as if typed, so "2026-11-29" is a date and "=A1*2" a formula) or RAW.
func valueInput(in *integrations.In) (string, error) {
	v, err := in.OptString("value_input")
	if err != nil {
		return "", err
	}
	switch strings.ToUpper(v) {
	case "", "USER_ENTERED":
		return "USER_ENTERED", nil
	case "RAW":
		return "RAW", nil
	}
	return "", fmt.Errorf("with.value_input must be USER_ENTERED (as typed: dates, numbers, formulas) or RAW (stored as given)")
}

// updated is Google's UpdateValuesResponse.
type updated struct {
	SpreadsheetID  string `json:"spreadsheetId"`
	UpdatedRange   string `json:"updatedRange"`
	UpdatedRows    int    `json:"updatedRows"`
	UpdatedColumns int    `json:"updatedColumns"`
	UpdatedCells   int    `json:"updatedCells"`
}

// a1Row is the first row of an A1 range ("'Q4 Orders'!A12:E13" → 12).
var a1Row = regexp.MustCompile(`![A-Za-z]*(\d+)`)

func (u updated) output() map[string]any {
	out := map[string]any{
		"spreadsheet_id": u.SpreadsheetID,
		"updated_range":  u.UpdatedRange,
		"updated_rows":   u.UpdatedRows,
		"updated_cells":  u.UpdatedCells,
		"row":            nil,
	}
	i := strings.LastIndex(u.UpdatedRange, "!")
	if m := a1Row.FindStringSubmatch(u.UpdatedRange[max(i, 0):]); i >= 0 && m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			out["row"] = n
		}
	}
	return out
}

// valueRange is what both operations send: the ValueRange body for the
// target range (path suffix as target takes it) and the valueInputOption
// query.
func (s *sheets) valueRange(in *integrations.In, suffix string) (map[string]any, error) {
	rng, err := s.target(in, suffix)
	if err != nil {
		return nil, err
	}
	vals, err := values(in)
	if err != nil {
		return nil, err
	}
	input, err := valueInput(in)
	if err != nil {
		return nil, err
	}
	in.Query = url.Values{"valueInputOption": {input}}
	return map[string]any{"range": rng, "majorDimension": "ROWS", "values": vals}, nil
}
