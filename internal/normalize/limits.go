package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"unicode/utf8"

	"cloudwall/internal/model"
)

// MaxText bounds every text field an event retains (user agent, error
// message, names, ids, peers, notes): the caller chooses most of them,
// and a scan holds firewall events until it ends. Longer values keep
// their first MaxText bytes and a marker saying how much was cut.
const MaxText = 1024

// maxID bounds the ids records are matched by (an Azure operation id
// holds a correlation id, the operation name and the resource id, a few
// hundred bytes); a longer id is replaced by its start and a hash, so
// distinct ids stay distinct.
const maxID = MaxText

// limitText cuts the text fields of ev to MaxText bytes (ids to maxID),
// copying what it keeps so the record's decoded text can be freed.
func limitText(ev *model.Event) {
	for _, s := range []*string{
		&ev.Account, &ev.Region, &ev.Service, &ev.Operation, &ev.ErrorCode, &ev.ErrorMessage,
		&ev.SourceIP, &ev.UserAgent,
		&ev.Actor.Type, &ev.Actor.ID, &ev.Actor.Name, &ev.Actor.Session, &ev.Actor.ViaService,
		&ev.Resource.Type, &ev.Resource.ID, &ev.Resource.Name, &ev.Network,
	} {
		*s = Truncate(*s, MaxText)
	}
	ev.EventID = limitID(ev.EventID)
	ev.OperationID = limitID(ev.OperationID)
	for i := range ev.Changes {
		c := &ev.Changes[i]
		c.Name = Truncate(c.Name, MaxText)
		c.Protocol = Truncate(c.Protocol, MaxText)
		for j := range c.Peers {
			c.Peers[j].Value = Truncate(c.Peers[j].Value, MaxText)
		}
		for j := range c.Targets {
			c.Targets[j] = Truncate(c.Targets[j], MaxText)
		}
	}
	for k, v := range ev.Settings {
		if len(k) > MaxText || len(v) > MaxText {
			delete(ev.Settings, k)
			ev.Settings[Truncate(k, MaxText)] = Truncate(v, MaxText)
		}
	}
	for i := range ev.Targets {
		ev.Targets[i] = Truncate(ev.Targets[i], MaxText)
	}
	for i := range ev.Notes {
		ev.Notes[i] = Truncate(ev.Notes[i], MaxText)
	}
}

// Truncate returns s when it has at most max bytes, else a copy of its
// first bytes (cut at a character boundary) and "…[truncated N bytes]".
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[truncated " + strconv.Itoa(len(s)-cut) + " bytes]"
}

func limitID(id string) string {
	if len(id) <= maxID {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	cut := maxID - 64
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut] + "…#" + hex.EncodeToString(sum[:16])
}
