package consent

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Scope is whom an opt-out protects a number from.
type Scope uint8

// The scopes of an opt-out, narrowest last.
const (
	// ScopeGlobal: no account of the platform may message the number (a
	// national do-not-disturb registry, an operator's block, a STOP on a
	// shared code whose rules say so).
	ScopeGlobal Scope = iota + 1
	// ScopeAccount: the account may not message the number, from any
	// sender.
	ScopeAccount
	// ScopeSender: the account may not message the number from one sender
	// (the number or short code the STOP was sent to); with account 0, no
	// account may (a STOP to a shared short code).
	ScopeSender
)

// String is the scope's name in the API and the store.
func (s Scope) String() string {
	switch s {
	case ScopeGlobal:
		return "global"
	case ScopeAccount:
		return "account"
	case ScopeSender:
		return "number"
	}
	return "unknown"
}

// ParseScope is the inverse of [Scope.String]; ok is false for a name
// that is none.
func ParseScope(name string) (Scope, bool) {
	switch name {
	case "global":
		return ScopeGlobal, true
	case "account":
		return ScopeAccount, true
	case "number":
		return ScopeSender, true
	}
	return 0, false
}

// Entry is one opt-out: Number (E.164 digits, no "+") protected at Scope.
// Account is zero for ScopeGlobal; Sender is set for ScopeSender only.
type Entry struct {
	Scope   Scope
	Account int64
	Sender  string
	Number  string
}

// Change is an opt-out (OptOut) or its reversal (an opt-in again).
type Change struct {
	Entry
	OptOut bool
}

// Index answers, on the send path, whether a number has opted out. It
// holds the current state of the ledger in memory (about 8 bytes per
// opt-out: numbers are packed into integers and kept sorted) and takes no
// lock to read: readers load an immutable snapshot; [Index.Apply] builds
// the next one from the changes, sharing everything it does not change.
// The zero Index is empty and ready.
type Index struct {
	mu   sync.Mutex // orders the writers
	snap atomic.Pointer[snapshot]

	allowMu sync.Mutex
	allow   map[allowKey]time.Time // one message each, until the time (see AllowOnce)
}

type allowKey struct {
	account int64
	number  string
}

// maxAllowances bounds the allowances held; past it, expired ones are
// dropped, then the new one is refused.
const maxAllowances = 100_000

// AllowOnce lets account send one message to number until until, even
// though number has opted out: the single confirmation carriers require
// after a STOP. It reports whether the allowance was taken in.
func (x *Index) AllowOnce(account int64, number string, until time.Time) bool {
	x.allowMu.Lock()
	defer x.allowMu.Unlock()
	if x.allow == nil {
		x.allow = map[allowKey]time.Time{}
	}
	if len(x.allow) >= maxAllowances {
		now := time.Now()
		for k, t := range x.allow {
			if now.After(t) {
				delete(x.allow, k)
			}
		}
		if len(x.allow) >= maxAllowances {
			return false
		}
	}
	x.allow[allowKey{account, number}] = until
	return true
}

// TakeAllowance uses up the allowance AllowOnce gave account for number,
// if one is there and still valid at now.
func (x *Index) TakeAllowance(account int64, number string, now time.Time) bool {
	x.allowMu.Lock()
	defer x.allowMu.Unlock()
	k := allowKey{account, number}
	until, ok := x.allow[k]
	if !ok {
		return false
	}
	delete(x.allow, k)
	return !now.After(until)
}

// snapshot is the index at one moment. Never modified once published.
type snapshot struct {
	global   *numberSet
	accounts map[int64]*numberSet
	senders  map[senderKey]*numberSet
	// odd holds the numbers that do not pack into a uint64 (not all
	// digits, or longer than maxPackedDigits): never seen from a valid
	// destination, kept so that an entry is never silently dropped.
	odd map[Entry]struct{}
	n   int // entries
	// registries are the do-not-disturb registries by country: sorted
	// packed numbers (registry.go).
	registries map[string][]uint64
}

type senderKey struct {
	account int64
	sender  string
}

var emptySnapshot = &snapshot{}

func (x *Index) load() *snapshot {
	if s := x.snap.Load(); s != nil {
		return s
	}
	return emptySnapshot
}

// Len is the number of opt-outs held.
func (x *Index) Len() int { return x.load().n }

// Blocked reports whether account may not message number from sender,
// and the widest scope that says so.
func (x *Index) Blocked(account int64, sender, number string) (Scope, bool) {
	s := x.load()
	if s.n == 0 && len(s.registries) == 0 {
		return 0, false
	}
	k, ok := pack(number)
	if !ok {
		return s.blockedOdd(account, sender, number)
	}
	if s.global.has(k) || s.inRegistry(k) != "" {
		return ScopeGlobal, true
	}
	if s.accounts[account].has(k) {
		return ScopeAccount, true
	}
	if len(s.senders) > 0 && (s.senders[senderKey{account, sender}].has(k) || s.senders[senderKey{0, sender}].has(k)) {
		return ScopeSender, true // the account's sender, or a shared code's for every account
	}
	return 0, false
}

// inRegistry returns the country of a registry holding k, or "".
func (s *snapshot) inRegistry(k uint64) string {
	for country, keys := range s.registries {
		if _, ok := slices.BinarySearch(keys, k); ok {
			return country
		}
	}
	return ""
}

// InRegistry returns the country of a do-not-disturb registry that holds
// number, or "".
func (x *Index) InRegistry(number string) string {
	k, ok := pack(number)
	if !ok {
		return ""
	}
	return x.load().inRegistry(k)
}

// replaceRegistry makes keys (sorted packed numbers; nil: none) country's
// registry.
func (x *Index) replaceRegistry(country string, keys []uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.load()
	next := *old
	next.registries = cloneMap(old.registries, 1)
	if keys == nil {
		delete(next.registries, country)
	} else {
		next.registries[country] = keys
	}
	x.snap.Store(&next)
}

func (s *snapshot) blockedOdd(account int64, sender, number string) (Scope, bool) {
	for _, e := range []Entry{
		{Scope: ScopeGlobal, Number: number},
		{Scope: ScopeAccount, Account: account, Number: number},
		{Scope: ScopeSender, Account: account, Sender: sender, Number: number},
	} {
		if _, ok := s.odd[e]; ok {
			return e.Scope, true
		}
	}
	return 0, false
}

// Has reports whether e itself is an opt-out held (its exact scope).
func (x *Index) Has(e Entry) bool {
	s := x.load()
	e = e.normal()
	k, ok := pack(e.Number)
	if !ok {
		_, found := s.odd[e]
		return found
	}
	switch e.Scope {
	case ScopeGlobal:
		return s.global.has(k)
	case ScopeAccount:
		return s.accounts[e.Account].has(k)
	case ScopeSender:
		return s.senders[senderKey{e.Account, e.Sender}].has(k)
	}
	return false
}

// normal clears the fields e's scope does not use.
func (e Entry) normal() Entry {
	switch e.Scope {
	case ScopeGlobal:
		e.Account, e.Sender = 0, ""
	case ScopeAccount:
		e.Sender = ""
	}
	return e
}

// Apply makes changes, in order (a later change of the same entry wins),
// and publishes the result to readers. Changes of an unknown scope are
// ignored. Apply many changes in one call where possible: each call
// copies the changed sets' small deltas, and a large batch is merged into
// the sorted arrays in one pass. A batch of more than applyChunk changes
// is applied and published a chunk at a time, bounding the memory a merge
// takes; readers may see the first chunks before the rest.
func (x *Index) Apply(changes ...Change) {
	for len(changes) > 0 {
		n := min(len(changes), applyChunk)
		x.applyChunk(changes[:n])
		changes = changes[n:]
	}
}

// applyChunk bounds the changes one snapshot takes (see Apply).
const applyChunk = 1 << 16

func (x *Index) applyChunk(changes []Change) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.load()
	next := &snapshot{global: old.global, accounts: old.accounts, senders: old.senders, odd: old.odd, n: old.n,
		registries: old.registries}

	// Group the changes by set, keeping their order within each.
	var global []keyChange
	accounts := map[int64][]keyChange{}
	senders := map[senderKey][]keyChange{}
	var odd []Change
	for _, c := range changes {
		c.Entry = c.Entry.normal()
		k, ok := pack(c.Number)
		if !ok {
			if c.Scope >= ScopeGlobal && c.Scope <= ScopeSender {
				odd = append(odd, c)
			}
			continue
		}
		kc := keyChange{key: k, in: c.OptOut}
		switch c.Scope {
		case ScopeGlobal:
			global = append(global, kc)
		case ScopeAccount:
			accounts[c.Account] = append(accounts[c.Account], kc)
		case ScopeSender:
			sk := senderKey{c.Account, c.Sender}
			senders[sk] = append(senders[sk], kc)
		}
	}

	if len(global) > 0 {
		before := next.global.len()
		next.global = next.global.with(global)
		next.n += next.global.len() - before
	}
	next.accounts = withGroups(old.accounts, accounts, &next.n)
	next.senders = withGroups(old.senders, senders, &next.n)
	if len(odd) > 0 {
		next.odd = cloneMap(old.odd, len(odd))
		for _, c := range odd {
			_, had := next.odd[c.Entry]
			switch {
			case c.OptOut && !had:
				next.odd[c.Entry] = struct{}{}
				next.n++
			case !c.OptOut && had:
				delete(next.odd, c.Entry)
				next.n--
			}
		}
	}
	x.snap.Store(next)
}

// withGroups returns sets with each group of changes applied to its set
// (a copy when there are any; sets emptied are dropped), adding the
// change in entries to *n.
func withGroups[K comparable](sets map[K]*numberSet, groups map[K][]keyChange, n *int) map[K]*numberSet {
	if len(groups) == 0 {
		return sets
	}
	next := cloneMap(sets, len(groups))
	for k, changes := range groups {
		cur := next[k]
		ns := cur.with(changes)
		*n += ns.len() - cur.len()
		if ns.len() == 0 {
			delete(next, k)
		} else {
			next[k] = ns
		}
	}
	return next
}

// cloneMap copies m with room for extra more keys.
func cloneMap[K comparable, V any](m map[K]V, extra int) map[K]V {
	out := make(map[K]V, len(m)+extra)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// maxPackedDigits is the longest number packed into a uint64: E.164
// numbers have at most 15 digits.
const maxPackedDigits = 17

// pack turns a number of up to maxPackedDigits decimal digits into a
// uint64 that keeps its length (so "0123" and "123" differ); ok is false
// for anything else.
func pack(number string) (uint64, bool) {
	n := len(number)
	if n == 0 || n > maxPackedDigits {
		return 0, false
	}
	var v uint64
	for i := 0; i < n; i++ {
		d := number[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return uint64(n)<<58 | v, true // 10^17 < 2^57
}

// keyChange is one change of a numberSet: key in (opted out) or out.
type keyChange struct {
	key uint64
	in  bool
}

// A numberSet's deltas are merged into a new base once they hold more
// than maxDelta keys, or more than a 16th of the base and minDelta: a
// change copies the deltas (cheap, they are small arrays), a merge copies
// the base.
const (
	minDelta = 256
	maxDelta = 4096
)

// numberSet is a set of packed numbers: a sorted base array, shared by
// every snapshot that has not merged since, and two small sorted deltas
// (in the set but not in base; in base but not in the set). Never
// modified once published; a nil *numberSet is empty.
type numberSet struct {
	base    []uint64
	added   []uint64
	removed []uint64
	n       int
}

func (s *numberSet) len() int {
	if s == nil {
		return 0
	}
	return s.n
}

func (s *numberSet) has(k uint64) bool {
	if s == nil {
		return false
	}
	if len(s.added) > 0 {
		if _, ok := slices.BinarySearch(s.added, k); ok {
			return true
		}
	}
	if len(s.removed) > 0 {
		if _, ok := slices.BinarySearch(s.removed, k); ok {
			return false
		}
	}
	_, found := slices.BinarySearch(s.base, k)
	return found
}

// with returns the set after changes, applied in order.
func (s *numberSet) with(changes []keyChange) *numberSet {
	var cur numberSet
	if s != nil {
		cur = *s
	}
	last := lastChanges(changes)
	delta := len(cur.added) + len(cur.removed) + len(last)
	if delta > maxDelta || (delta > minDelta && delta > len(cur.base)/16) {
		return cur.merged(last)
	}
	next := &numberSet{base: cur.base, n: cur.n,
		added:   make([]uint64, 0, len(cur.added)+len(last)),
		removed: make([]uint64, 0, len(cur.removed)+len(last))}
	// Walk the old deltas and the sorted changes together.
	i, j, c := 0, 0, 0
	for c < len(last) {
		k := last[c].key
		for i < len(cur.added) && cur.added[i] < k {
			next.added = append(next.added, cur.added[i])
			i++
		}
		for j < len(cur.removed) && cur.removed[j] < k {
			next.removed = append(next.removed, cur.removed[j])
			j++
		}
		wasAdded := i < len(cur.added) && cur.added[i] == k
		wasRemoved := j < len(cur.removed) && cur.removed[j] == k
		if wasAdded {
			i++
		}
		if wasRemoved {
			j++
		}
		_, inBase := slices.BinarySearch(cur.base, k)
		present := wasAdded || (inBase && !wasRemoved)
		switch {
		case last[c].in && !inBase:
			next.added = append(next.added, k)
		case !last[c].in && inBase:
			next.removed = append(next.removed, k)
		}
		if last[c].in != present {
			if last[c].in {
				next.n++
			} else {
				next.n--
			}
		}
		c++
	}
	next.added = append(next.added, cur.added[i:]...)
	next.removed = append(next.removed, cur.removed[j:]...)
	return next
}

// lastChanges sorts a copy of changes by key and keeps the last change of
// each key.
func lastChanges(changes []keyChange) []keyChange {
	all := slices.Clone(changes)
	slices.SortStableFunc(all, func(a, b keyChange) int { return cmp.Compare(a.key, b.key) })
	last := all[:0]
	for i, c := range all {
		if i+1 < len(all) && all[i+1].key == c.key {
			continue
		}
		last = append(last, c)
	}
	return last
}

// merged returns s with its deltas and last (sorted, one change per key,
// see lastChanges) folded into one new sorted base, in one pass.
func (s numberSet) merged(last []keyChange) *numberSet {
	// The deltas as changes, then last over them.
	deltas := make([]keyChange, 0, len(s.added)+len(s.removed)+len(last))
	for _, k := range s.added {
		deltas = append(deltas, keyChange{key: k, in: true})
	}
	for _, k := range s.removed {
		deltas = append(deltas, keyChange{key: k})
	}
	all := lastChanges(append(deltas, last...))
	adds := 0
	for _, c := range all {
		if c.in {
			adds++
		}
	}
	base := make([]uint64, 0, len(s.base)+adds)
	i, j := 0, 0
	for i < len(s.base) || j < len(all) {
		if j == len(all) || (i < len(s.base) && s.base[i] < all[j].key) {
			base = append(base, s.base[i])
			i++
			continue
		}
		c := all[j]
		if i < len(s.base) && s.base[i] == c.key {
			i++ // replaced by its change
		}
		if c.in {
			base = append(base, c.key)
		}
		j++
	}
	if cap(base)-len(base) > len(base)/8 {
		base = slices.Clone(base) // opt-ins shrank it: give the room back
	}
	return &numberSet{base: base, n: len(base)}
}
