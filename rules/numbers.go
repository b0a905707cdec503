package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
)

// Helpers that turn numbers into text for messages, so a template says
// ${{ money(payload.amount, payload.currency) }} instead of a 60-character
// expression. Event numbers arrive as float64 (decoded JSON); all three
// take ints, floats and numeric strings ("123.45" from Shopify).

// maxWidth bounds the width and precision in a format pattern, so a rule
// cannot ask for a megabyte of padding.
const maxWidth = 64

func numberFuncs() []expr.Option {
	return []expr.Option{
		budgetedFunc("format", func(b *budget, p []any) (any, error) {
			// %v of a list or map is as long as its text: charge that first.
			if err := chargeText(b, p[1:]); err != nil {
				return nil, err
			}
			out, err := sprintf(p[0].(string), p[1:])
			if err == nil {
				err = b.spend(len(out))
			}
			return out, err
		}, new(func(b *budget, pattern string, args ...any) string)),
		expr.Function("money", func(p ...any) (any, error) {
			return money(p[0], p[1].(string))
		}, new(func(minorUnits any, currency string) string)),
		expr.Function("number", func(p ...any) (any, error) {
			return number(p[0], p[1])
		}, new(func(x any, decimals int) string)),
	}
}

// sprintf is fmt.Sprintf over the verbs a message needs (%s %v %d %f %e %g
// %x %X %q %%), with %d taking whole floats and numeric strings.
func sprintf(pattern string, args []any) (string, error) {
	verbs, err := formatVerbs(pattern)
	if err != nil {
		return "", fmt.Errorf("format %q: %w", pattern, err)
	}
	if len(verbs) != len(args) {
		return "", fmt.Errorf("format %q: %d value(s) for %d verb(s)", pattern, len(args), len(verbs))
	}
	conv := make([]any, len(args))
	for i, v := range args {
		conv[i] = v
		switch verbs[i] {
		case 'd', 'x', 'X':
			if n, ok := toFloat(v); ok && n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				conv[i] = int64(n)
			} else if verbs[i] == 'd' {
				return "", fmt.Errorf("format %q: value %d (%v) is not a whole number for %%d", pattern, i+1, v)
			}
		case 'f', 'e', 'g':
			n, ok := toFloat(v)
			if !ok {
				return "", fmt.Errorf("format %q: value %d (%v) is not a number for %%%c", pattern, i+1, v, verbs[i])
			}
			conv[i] = n
		}
	}
	return fmt.Sprintf(pattern, conv...), nil
}

// formatVerbs checks a pattern and returns its verbs in order (%% excluded).
func formatVerbs(pattern string) ([]rune, error) {
	var verbs []rune
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		i++
		for i < len(rs) && strings.ContainsRune("+-# 0", rs[i]) {
			i++
		}
		for _, part := range []string{"width", "precision"} {
			if part == "precision" {
				if i >= len(rs) || rs[i] != '.' {
					break
				}
				i++
			}
			start := i
			for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
				i++
			}
			if n, _ := strconv.Atoi(string(rs[start:i])); n > maxWidth {
				return nil, fmt.Errorf("%s %d is larger than %d", part, n, maxWidth)
			}
		}
		if i >= len(rs) {
			return nil, fmt.Errorf("ends inside a verb")
		}
		switch rs[i] {
		case '%':
		case 's', 'v', 'd', 'f', 'e', 'g', 'x', 'X', 'q':
			verbs = append(verbs, rs[i])
		default:
			return nil, fmt.Errorf("verb %%%c is not supported (use %%s %%v %%d %%f %%e %%g %%x %%X %%q)", rs[i])
		}
	}
	return verbs, nil
}

// minorDigits is how many decimals a currency's minor unit has where it is
// not 2 (ISO 4217; the zero-decimal list is Stripe's).
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "MGA": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// money formats an amount in a currency's minor unit (Stripe's 1234 USD
// cents) as "12.34 USD", exactly: no float rounding.
func money(minor any, currency string) (string, error) {
	n, ok := toFloat(minor)
	if !ok || n != math.Trunc(n) || math.Abs(n) >= 1<<53 {
		return "", fmt.Errorf("money: %v is not a whole amount in minor units (e.g. cents)", minor)
	}
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if len(cur) != 3 {
		return "", fmt.Errorf("money: currency %q is not a three-letter code such as USD", currency)
	}
	digits, ok := minorDigits[cur]
	if !ok {
		digits = 2
	}
	amount := int64(n)
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	s := strconv.FormatInt(amount, 10)
	if digits > 0 {
		s = strings.Repeat("0", max(0, digits+1-len(s))) + s
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	return sign + s + " " + cur, nil
}

// number formats x with a fixed number of decimals and thousands
// separators: number(1234.5, 2) is "1,234.50".
func number(x, decimals any) (string, error) {
	n, ok := toFloat(x)
	if !ok || math.IsInf(n, 0) || math.IsNaN(n) {
		return "", fmt.Errorf("number: %v is not a number", x)
	}
	d, ok := toFloat(decimals)
	if !ok || d < 0 || d > 10 || d != math.Trunc(d) {
		return "", fmt.Errorf("number: decimals %v must be a whole number from 0 to 10", decimals)
	}
	s := strconv.FormatFloat(math.Abs(n), 'f', int(d), 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if n < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String(), nil
}

// toFloat reads the numbers events carry: JSON numbers, ints and numeric strings.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}
