package router

// pick returns the carrier for the unsent segments of j on route rt, or
// -1 when every choice is excluded for j. It takes the lowest priority
// group with a choice that is not excluded and has a bound bind, and
// within the group draws by weight with j.hash, so equal seeds and
// message ids give equal choices. When no such choice is bound anywhere
// it picks the same way ignoring binds, so the segments wait in that
// carrier's queue for a bind to come back.
func (r *Router) pick(rt *route, j *Job) int32 {
	if c := r.pickPass(rt, j, true); c >= 0 {
		return c
	}
	return r.pickPass(rt, j, false)
}

// pickPass is one pass of pick; needBound skips carriers without a
// bound bind. Eligibility is read once per choice into a bit mask, so a
// bind dropping meanwhile cannot make the weighted draw miss.
func (r *Router) pickPass(rt *route, j *Job, needBound bool) int32 {
	ch := rt.choices
	if rt.costs != nil {
		if costs := rt.costs.lookup(j.Msg.Dest.Addr); costs != nil {
			return r.pickCheapest(ch, costs, j, needBound)
		}
	}
	for start := 0; start < len(ch); {
		end := start + 1
		for end < len(ch) && ch[end].priority == ch[start].priority {
			end++
		}
		var ok uint64 // bit i: ch[i] eligible (len(ch) <= maxChoices)
		var total uint64
		for i := start; i < end; i++ {
			if r.eligible(ch[i].carrier, j, needBound) {
				ok |= 1 << i
				total += ch[i].weight
			}
		}
		if total > 0 {
			x := j.hash % total
			for i := start; i < end; i++ {
				if ok&(1<<i) == 0 {
					continue
				}
				if x < ch[i].weight {
					return ch[i].carrier
				}
				x -= ch[i].weight
			}
		}
		start = end
	}
	return -1
}

// pickCheapest is pickPass for a least-cost route: within the lowest
// priority group with an eligible choice, the eligible choices of the
// lowest cost (costs indexed like ch) are drawn from by weight.
func (r *Router) pickCheapest(ch []choice, costs []int64, j *Job, needBound bool) int32 {
	for start := 0; start < len(ch); {
		end := start + 1
		for end < len(ch) && ch[end].priority == ch[start].priority {
			end++
		}
		var ok uint64 // bit i: ch[i] eligible and of the lowest cost so far
		var total uint64
		best := int64(noCost)
		for i := start; i < end; i++ {
			if !r.eligible(ch[i].carrier, j, needBound) {
				continue
			}
			switch c := costs[i]; {
			case ok == 0 || c < best:
				ok, total, best = 1<<i, ch[i].weight, c
			case c == best:
				ok |= 1 << i
				total += ch[i].weight
			}
		}
		if total > 0 {
			x := j.hash % total
			for i := start; i < end; i++ {
				if ok&(1<<i) == 0 {
					continue
				}
				if x < ch[i].weight {
					return ch[i].carrier
				}
				x -= ch[i].weight
			}
		}
		start = end
	}
	return -1
}

// eligible reports whether carrier c may take j's segments.
func (r *Router) eligible(c int32, j *Job, needBound bool) bool {
	if j.isExcluded(c) {
		return false
	}
	return !needBound || r.carrier(c).anyBound()
}

// mix is the splitmix64 finaliser: it spreads sequential message ids
// over all 64 bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
