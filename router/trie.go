package router

// digitTrie maps digit prefixes to values (non-negative indexes into the
// owner's slice) and finds the longest prefix of a number that has one.
// Route plans and least-cost rates both use it.
type digitTrie struct {
	nodes []trieNode // nodes[0] is the root: the empty prefix
}

// trieNode is a node of a digitTrie. A child index of 0 means none: the
// root is never a child.
type trieNode struct {
	child [10]int32
	val   int32 // -1: no prefix ends here
}

func newDigitTrie() digitTrie { return digitTrie{nodes: []trieNode{{val: -1}}} }

// node returns the index of prefix's node (prefix: digits only), adding
// the nodes it lacks.
func (t *digitTrie) node(prefix string) int32 {
	n := int32(0)
	for i := 0; i < len(prefix); i++ {
		d := prefix[i] - '0'
		next := t.nodes[n].child[d]
		if next == 0 {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{val: -1})
			t.nodes[n].child[d] = next
		}
		n = next
	}
	return n
}

// longest returns the value of the longest prefix of dest that has one,
// the empty prefix included, or -1. A leading '+' is skipped and
// matching stops at the first non-digit.
func (t *digitTrie) longest(dest string) int32 {
	if len(dest) > 0 && dest[0] == '+' {
		dest = dest[1:]
	}
	best := t.nodes[0].val
	n := int32(0)
	for i := 0; i < len(dest); i++ {
		d := dest[i] - '0'
		if d > 9 {
			break
		}
		n = t.nodes[n].child[d]
		if n == 0 {
			break
		}
		if v := t.nodes[n].val; v >= 0 {
			best = v
		}
	}
	return best
}
