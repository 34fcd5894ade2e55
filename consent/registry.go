package consent

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Do-not-disturb registries: a country's national list of numbers that no
// account may message, imported whole (gallant admin dnd import FILE
// --country CC) and replaced by the next import. The index holds each as
// a sorted array of packed numbers (8 bytes each) beside the ledger's
// opt-outs; a message to a number in any registry is refused as a
// platform-wide opt-out.

// callingCodes maps ISO 3166-1 alpha-2 codes to ITU-T E.164 country
// calling codes, for registries that list national numbers.
var callingCodes = map[string]string{
	"AE": "971", "AR": "54", "AT": "43", "AU": "61", "BD": "880", "BE": "32", "BG": "359", "BR": "55",
	"CA": "1", "CH": "41", "CL": "56", "CN": "86", "CO": "57", "CZ": "420", "DE": "49", "DK": "45",
	"DZ": "213", "EG": "20", "ES": "34", "FI": "358", "FR": "33", "GB": "44", "GH": "233", "GR": "30",
	"HK": "852", "HR": "385", "HU": "36", "ID": "62", "IE": "353", "IL": "972", "IN": "91", "IT": "39",
	"JP": "81", "KE": "254", "KR": "82", "LK": "94", "MA": "212", "MX": "52", "MY": "60", "NG": "234",
	"NL": "31", "NO": "47", "NP": "977", "NZ": "64", "PE": "51", "PH": "63", "PK": "92", "PL": "48",
	"PT": "351", "QA": "974", "RO": "40", "RS": "381", "RU": "7", "SA": "966", "SE": "46", "SG": "65",
	"SK": "421", "TH": "66", "TR": "90", "TW": "886", "TZ": "255", "UA": "380", "UG": "256", "US": "1",
	"VN": "84", "ZA": "27",
}

// CallingCode returns country's calling code (ok false for a country the
// table lacks).
func CallingCode(country string) (string, bool) {
	cc, ok := callingCodes[strings.ToUpper(country)]
	return cc, ok
}

// RegistryNumber turns one entry of country's registry file into E.164
// digits: "+CC…" and "00CC…" are international; anything else is national
// (a leading trunk 0 dropped, the calling code put in front) unless it
// already starts with the calling code and is long enough to hold it. ok
// is false for anything that is not such a number.
func RegistryNumber(raw, callingCode string) (string, bool) {
	raw = strings.TrimSpace(raw)
	intl := false
	switch {
	case strings.HasPrefix(raw, "+"):
		raw, intl = raw[1:], true
	case strings.HasPrefix(raw, "00"):
		raw, intl = raw[2:], true
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if !intl {
		switch {
		case strings.HasPrefix(d, "0"):
			d = callingCode + d[1:]
		case strings.HasPrefix(d, callingCode) && len(d) >= len(callingCode)+8:
		default:
			d = callingCode + d
		}
	}
	if len(d) < 7 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	return d, true
}

// registryChunk is the numbers per stored chunk (512 KiB).
const registryChunk = 1 << 16

// ImportReport says what an import did.
type ImportReport struct {
	Country  string `json:"country"`
	Version  int64  `json:"version"`
	Lines    int64  `json:"lines"`    // lines read (a header and blank lines included)
	Numbers  int64  `json:"numbers"`  // distinct numbers stored
	Rejected int64  `json:"rejected"` // lines that were not a number
	// FirstRejected are the first rejected lines (up to 10), 1-based.
	FirstRejected []int64       `json:"first_rejected,omitempty"`
	Took          time.Duration `json:"-"`
	// PerSecond is the numbers stored per second of the import.
	PerSecond int64 `json:"numbers_per_second"`
}

// maxRegistryNumbers bounds one registry (100 million: 800 MB packed).
const maxRegistryNumbers = 100_000_000

// ImportRegistry reads country's registry from r (one number per line,
// or CSV whose first column is the number; a first line that is not a
// number is taken as a header) and stores it in place of the previous
// one. Every instance enforces it at its next registry check.
func ImportRegistry(ctx context.Context, st *store.Store, country string, r io.Reader) (ImportReport, error) {
	start := time.Now()
	country = strings.ToUpper(strings.TrimSpace(country))
	rep := ImportReport{Country: country}
	cc, ok := CallingCode(country)
	if !ok {
		return rep, fmt.Errorf("consent: no calling code known for country %q", country)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	var keys []uint64
	for sc.Scan() {
		rep.Lines++
		line := sc.Text()
		if i := strings.IndexAny(line, ",;\t"); i >= 0 {
			line = line[:i]
		}
		line = strings.Trim(line, "\" ")
		if line == "" {
			continue
		}
		d, ok := RegistryNumber(line, cc)
		var k uint64
		if ok {
			k, ok = pack(d)
		}
		if !ok {
			if rep.Lines == 1 {
				continue // a header
			}
			rep.Rejected++
			if len(rep.FirstRejected) < 10 {
				rep.FirstRejected = append(rep.FirstRejected, rep.Lines)
			}
			continue
		}
		if len(keys) >= maxRegistryNumbers {
			return rep, fmt.Errorf("consent: registry %s: more than %d numbers", country, maxRegistryNumbers)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("consent: read registry %s: %w", country, err)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	rep.Numbers = int64(len(keys))
	v, err := st.ReplaceDND(ctx, country, packChunks(keys), rep.Numbers)
	if err != nil {
		return rep, fmt.Errorf("consent: store registry %s: %w", country, err)
	}
	rep.Version, rep.Took = v, time.Since(start)
	rep.PerSecond = int64(float64(rep.Numbers) / max(rep.Took.Seconds(), 1e-9))
	return rep, nil
}

// packChunks encodes sorted keys as little-endian uint64s, registryChunk
// a chunk.
func packChunks(keys []uint64) [][]byte {
	chunks := make([][]byte, 0, len(keys)/registryChunk+1)
	for len(keys) > 0 {
		n := min(len(keys), registryChunk)
		b := make([]byte, 8*n)
		for i, k := range keys[:n] {
			binary.LittleEndian.PutUint64(b[8*i:], k)
		}
		chunks = append(chunks, b)
		keys = keys[n:]
	}
	return chunks
}

// errBadChunk is a stored chunk that is not whole packed numbers.
var errBadChunk = errors.New("consent: registry chunk is not a whole number of packed numbers")

// Registries keeps the index's do-not-disturb registries equal to the
// store's: Load reads them all, Sync reloads the ones whose version
// changed (or that are gone).
type Registries struct {
	st  *store.Store
	idx *Index
	log *slog.Logger

	mu       sync.Mutex
	versions map[string]int64
}

// NewRegistries returns the registry loader of st into idx.
func NewRegistries(st *store.Store, idx *Index, log *slog.Logger) *Registries {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registries{st: st, idx: idx, log: log, versions: map[string]int64{}}
}

// Load reads every registry (the first Sync).
func (r *Registries) Load(ctx context.Context) error { return r.Sync(ctx) }

// Sync reloads the registries whose version changed since the last.
func (r *Registries) Sync(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	regs, err := r.st.DNDRegistries(ctx)
	if err != nil {
		return fmt.Errorf("consent: registries: %w", err)
	}
	present := map[string]bool{}
	for _, reg := range regs {
		present[reg.Country] = true
		if r.versions[reg.Country] == reg.Version {
			continue
		}
		keys := make([]uint64, 0, reg.Count)
		v, err := r.st.DNDChunks(ctx, reg.Country, func(chunk []byte) error {
			if len(chunk)%8 != 0 {
				return errBadChunk
			}
			for i := 0; i < len(chunk); i += 8 {
				keys = append(keys, binary.LittleEndian.Uint64(chunk[i:]))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("consent: registry %s: %w", reg.Country, err)
		}
		if !slices.IsSorted(keys) {
			slices.Sort(keys)
		}
		r.idx.replaceRegistry(reg.Country, keys)
		r.versions[reg.Country] = v
		r.log.Info("do-not-disturb registry loaded", "country", reg.Country, "version", v, "numbers", len(keys))
	}
	for c := range r.versions {
		if !present[c] {
			r.idx.replaceRegistry(c, nil)
			delete(r.versions, c)
		}
	}
	return nil
}
