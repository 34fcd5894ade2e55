package gateway

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// submit_multi (SMPP 3.4 §4.5.1; docs/smpp.md, "submit_multi and
// replace_sm"): each SME destination becomes a message of its own,
// validated, admitted (consent, route, rate limit), billed, routed,
// tracked and receipted exactly as a submit_sm to it would be. The shared fields (source, content, times) are checked once:
// a fault there refuses the whole PDU, as it would every destination.
//
// A distribution list destination (dest_flag 2) names one of the
// account's lists (kept in the store, managed over the API): it expands
// to the list's members, each then a destination like any other. A
// member that is already a destination of the PDU (named before, or in
// an earlier list) is not sent twice. A name the account has no list of
// is refused in unsuccess_sme with ESME_RINVDLNAME (its dl_name as the
// address), and the other destinations still go. One submit_multi
// expands to at most MaxMultiDests destinations: those past it are
// refused in unsuccess_sme with ESME_RINVNUMDESTS. The lists are read
// from the store when the PDU is handled, on its bind's goroutine.
//
// submit_multi_resp carries one message_id: the id of the first
// destination (in PDU order, a list's members in the list's order) that
// was accepted. Every destination's receipt carries that destination's
// own message id (receipted_message_id) and the destination as its
// source_addr. When no destination is accepted, the answer's
// command_status is the first destination's error, and its body still
// lists every one of them, up to the 255 entries unsuccess_sme can hold.

// Limits of distribution lists and of submit_multi. The API reads them
// (through DistListName and DistListMembers) so that a list it stores is
// one a submit_multi can use.
const (
	// MaxDistListNameLen is the longest dl_name: a C-Octet String of at
	// most 21 octets with its NUL (SMPP 3.4 §4.5.1).
	MaxDistListNameLen = 20
	// MaxDistListNumbers is the most members a list holds.
	MaxDistListNumbers = 1000
	// MaxMultiDests is the most destinations one submit_multi expands
	// to, lists' members included; those past it are refused in
	// unsuccess_sme with ESME_RINVNUMDESTS.
	MaxMultiDests = 1000
)

// distListTimeout bounds the store read of a submit_multi's lists.
const distListTimeout = 5 * time.Second

// Refusals of submit_multi destinations.
var (
	errDLName = refuse(pdu.StatusInvDLName, ProblemInvalidRequest, 400, "dl_name",
		"the account has no distribution list of this name")
	errTooManyDests = refuse(pdu.StatusInvNumDests, ProblemInvalidRequest, 400, "to",
		"a submit_multi expands to at most "+strconv.Itoa(MaxMultiDests)+" destinations")
	errDLRead = refuse(pdu.StatusSysErr, ProblemInternal, 500, "dl_name",
		"the distribution list could not be read")
)

// DistListName checks a distribution list's name: 1 to
// MaxDistListNameLen characters among letters, digits, '.', '_' and '-'
// (so that it is also one path segment of the API's URLs).
func DistListName(name string) *Refusal {
	ok := name != "" && len(name) <= MaxDistListNameLen
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return refuse(pdu.StatusInvDLName, ProblemInvalidRequest, 400, "name",
			"a list's name has 1 to "+strconv.Itoa(MaxDistListNameLen)+" characters among letters, digits, '.', '_' and '-'")
	}
	return nil
}

// DistListMembers checks and normalises a list's members as the send
// path checks a destination (see Destination): it returns them as E.164
// digits, duplicates dropped, in the order given, or the refusal of the
// first bad one (its index in numbers) or of too many.
func DistListMembers(numbers []string) ([]string, int, *Refusal) {
	if len(numbers) > MaxDistListNumbers {
		return nil, -1, refuse(pdu.StatusInvNumDests, ProblemInvalidRequest, 400, "numbers",
			"a list holds at most "+strconv.Itoa(MaxDistListNumbers)+" numbers")
	}
	out := make([]string, 0, len(numbers))
	seen := make(map[string]struct{}, len(numbers))
	for i, n := range numbers {
		a, r := Destination(tonUnknown, npiUnknown, n)
		if r != nil {
			return nil, i, r
		}
		if _, dup := seen[a.Addr]; dup {
			continue
		}
		seen[a.Addr] = struct{}{}
		out = append(out, a.Addr)
	}
	return out, -1, nil
}

// multiReq collects the outcomes of one submit_multi's destinations and
// answers when the last is known.
type multiReq struct {
	sess *smpp.Session
	h    pdu.Header

	mu   sync.Mutex
	left int
	ids  []sms.ID     // per destination: the accepted message's id, or 0
	errs []pdu.Status // per destination: the refusal, when ids[i] is 0
	dsts []pdu.Address
}

// multiTag is the Acceptor of one destination.
type multiTag struct {
	r *multiReq
	i int
}

// multiDest is one destination of a submit_multi after its lists are
// expanded: the address the answer names, and the number to send to or
// the refusal.
type multiDest struct {
	addr pdu.Address
	dst  sms.Address
	r    *Refusal
}

// submitMulti answers submit_multi: see above.
func (c *customers) submitMulti(sess *smpp.Session, h pdu.Header, b account.Binding, body []byte) {
	var sm pdu.SubmitMulti
	if err := sm.Decode(body); err != nil {
		c.s.m.refused(ProblemInvalidRequest)
		_ = sess.Respond(h, pdu.StatusOf(err), nil)
		return
	}
	tmpl, r := c.message(b, &submitFields{src: sm.Source, esm: sm.ESMClass, pid: sm.ProtocolID,
		prio: sm.PriorityFlag, sched: sm.ScheduleDeliveryTime, valid: sm.ValidityPeriod, rd: sm.RegisteredDelivery,
		dc: sm.DataCoding, payload: sm.Payload(), tlvs: sm.TLVs})
	if r != nil {
		c.s.m.refused(r.Problem)
		_ = sess.Respond(h, r.Status, nil)
		return
	}
	dests := c.s.expandMulti(b.AccountID, &sm)
	n := len(dests)
	mr := &multiReq{sess: sess, h: h, left: n, ids: make([]sms.ID, n), errs: make([]pdu.Status, n),
		dsts: make([]pdu.Address, n)}
	for i := range dests {
		mr.dsts[i] = dests[i].addr
	}
	tags := make([]multiTag, n) // one allocation for the PDU's tags
	msgs := make([]sms.Message, n)
	for i := range dests {
		tags[i] = multiTag{mr, i}
		if r := dests[i].r; r != nil {
			c.s.m.refused(r.Problem)
			tags[i].Accepted(nil, r)
			continue
		}
		m := &msgs[i]
		*m = *tmpl // Body is shared: no one writes a message's body
		m.Dest = dests[i].dst
		c.s.Accept(m, b.TPSLimit, &tags[i])
	}
}

// expandMulti returns the destinations of sm for account: its SME
// addresses checked, its lists expanded (see above), at most
// MaxMultiDests of them sent to. The addresses are copies: the PDU's
// buffer is the session's.
func (s *Service) expandMulti(account int64, sm *pdu.SubmitMulti) []multiDest {
	out := make([]multiDest, 0, len(sm.Dests))
	var seen map[string]struct{} // destinations so far, once a list is met
	sending := 0
	add := func(d multiDest) {
		if d.r == nil {
			if sending >= MaxMultiDests {
				d.r = errTooManyDests
			} else {
				sending++
			}
		}
		out = append(out, d)
	}
	var ctx context.Context
	for i := range sm.Dests {
		d := &sm.Dests[i]
		if !d.List {
			addr := pdu.Address{TON: d.Addr.TON, NPI: d.Addr.NPI, Addr: append([]byte(nil), d.Addr.Addr...)}
			dst, r := Destination(d.Addr.TON, d.Addr.NPI, string(d.Addr.Addr))
			add(multiDest{addr: addr, dst: dst, r: r})
			if seen != nil && r == nil {
				seen[dst.Addr] = struct{}{}
			}
			continue
		}
		name := string(d.DLName)
		if seen == nil {
			seen = make(map[string]struct{}, len(out))
			for _, o := range out {
				if o.r == nil {
					seen[o.dst.Addr] = struct{}{}
				}
			}
		}
		if ctx == nil {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.Background(), distListTimeout)
			defer cancel()
		}
		l, err := s.st.GetDistList(ctx, account, name)
		if err != nil {
			r := errDLName
			if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
				s.log.Error("submit_multi: read distribution list", "account", account, "list", name, "err", err)
				r = errDLRead
			}
			add(multiDest{addr: pdu.Address{Addr: []byte(name)}, r: r})
			continue
		}
		for _, num := range l.Numbers {
			if _, dup := seen[num]; dup {
				continue
			}
			seen[num] = struct{}{}
			addr := pdu.Address{TON: tonInternational, NPI: npiISDN, Addr: []byte(num)}
			dst, r := Destination(tonInternational, npiISDN, num) // stored checked; checked again all the same
			add(multiDest{addr: addr, dst: dst, r: r})
		}
	}
	return out
}

// Accepted records one destination's outcome; the last answers the
// submit_multi.
func (t *multiTag) Accepted(m *sms.Message, err error) {
	r := t.r
	r.mu.Lock()
	if err == nil {
		r.ids[t.i] = m.ID
	} else {
		st := pdu.StatusSysErr
		var ref *Refusal
		if errors.As(err, &ref) {
			st = ref.Status
		}
		r.errs[t.i] = st
	}
	r.left--
	last := r.left == 0
	r.mu.Unlock()
	if last {
		r.answer()
	}
}

// answer sends submit_multi_resp once every destination is settled.
func (r *multiReq) answer() {
	var resp pdu.SubmitMultiResp
	status := pdu.StatusOK
	var buf [24]byte
	for i, id := range r.ids {
		if id != 0 {
			if resp.MessageID == nil {
				resp.MessageID = id.AppendTo(buf[:0])
			}
			continue
		}
		resp.Unsuccess = append(resp.Unsuccess, pdu.UnsuccessSME{Dest: r.dsts[i], Status: r.errs[i]})
	}
	if resp.MessageID == nil && len(resp.Unsuccess) > 0 {
		status = resp.Unsuccess[0].Status
	}
	_ = r.sess.Respond(r.h, status, resp.AppendBody(nil))
}
