package mailchimp

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/hookflow/hookflow/integrations"
)

// upsertMember adds the address to an audience, or updates the member it
// already is, then sets its tags:
//
//	call: newsletter.upsert_member
//	with:
//	  email: ${{ payload.email }}              # required
//	  status_if_new: transactional             # default; subscribed only with marketing consent
//	  status: subscribed                       # changes an existing member's status too
//	  merge_fields: { FNAME: "${{ payload.customer.first_name }}", LNAME: "${{ payload.customer.last_name }}" }
//	  tags: [customer, "bought-${{ payload.line_items[0].sku }}"]   # added
//	  remove_tags: [lead]                      # removed
//	  language: de
//	  vip: true
//	  list_id: a1b2c3d4e5                      # default: the integration's
//
// PUT /lists/{list_id}/members/{subscriber_hash}, where the hash is the
// MD5 of the lower-cased address, then, when tags are given,
// POST …/{subscriber_hash}/tags. Both set a state, so the step is
// idempotent by construction: a retry leaves one member with the same
// tags. An existing member's status changes only with status: an
// unsubscribed customer stays unsubscribed. Output: {id, email, status,
// unique_email_id, contact_id, list_id}: id is the subscriber hash.
func upsertMember(defaultList string) *integrations.Op {
	return &integrations.Op{
		Method:   http.MethodPut,
		Path:     "lists/{list_id}/members/{subscriber_hash}",
		Required: []string{"email"},
		Optional: []string{"status_if_new", "status", "merge_fields", "tags", "remove_tags", "language", "vip", "list_id"},
		Build: func(in *integrations.In) (any, error) {
			email, err := member(in, defaultList)
			if err != nil {
				return nil, err
			}
			body := map[string]any{"email_address": email, "status_if_new": "transactional"}
			for _, f := range []string{"status_if_new", "status"} {
				s, err := in.OneOf(f, statuses...)
				if err != nil {
					return nil, err
				}
				if s != "" {
					body[f] = s
				}
			}
			fields, err := in.Map("merge_fields")
			if err != nil {
				return nil, err
			}
			if fields != nil {
				body["merge_fields"] = fields
			}
			lang, err := in.OptString("language")
			if err != nil {
				return nil, err
			}
			if lang != "" {
				body["language"] = lang
			}
			vip, set, err := in.Bool("vip")
			if err != nil {
				return nil, err
			}
			if set {
				body["vip"] = vip
			}
			return body, nil
		},
		Output: func(r *integrations.Response) (any, error) { return memberOutput(r) },
		Then:   setTags(defaultList),
	}
}

// Member statuses Mailchimp takes: transactional is a customer who has
// not opted in to marketing.
var statuses = []string{"subscribed", "unsubscribed", "cleaned", "pending", "transactional"}

// setTags is the tags request after the member's PUT; Skip without tags.
func setTags(defaultList string) *integrations.Op {
	return &integrations.Op{
		Path: "lists/{list_id}/members/{subscriber_hash}/tags",
		Build: func(in *integrations.In) (any, error) {
			if _, err := member(in, defaultList); err != nil {
				return nil, err
			}
			added, err := in.Strings("tags")
			if err != nil {
				return nil, err
			}
			removed, err := in.Strings("remove_tags")
			if err != nil {
				return nil, err
			}
			if len(added)+len(removed) == 0 {
				return nil, integrations.Skip
			}
			tags := []map[string]string{}
			for _, t := range added {
				tags = append(tags, map[string]string{"name": t, "status": "active"})
			}
			for _, t := range removed {
				if slices.Contains(added, t) {
					return nil, fmt.Errorf("with.tags and with.remove_tags both name %q", t)
				}
				tags = append(tags, map[string]string{"name": t, "status": "inactive"})
			}
			// is_syncing false: tagging may start the audience's automations.
			return map[string]any{"tags": tags, "is_syncing": false}, nil
		},
	}
}
