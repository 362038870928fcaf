"""The US states by USPS code, as the consultation form lists them and a clinic is licensed in.

One table for both sides: the reference site's form (and its REST schema) accepts every code
here; the app's settings offer only the states and DC (:data:`US_STATES`), where a clinic can
be licensed.
"""

from __future__ import annotations

#: Every USPS code the consultation form accepts, with its name: the states, DC, the
#: territories and the military "states", in the form's order.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}  # fmt: skip

#: The territories and the military "states": a person may live there, no clinic is licensed there.
_NOT_LICENSING = frozenset({"AS", "GU", "MP", "PR", "VI", "AA", "AE", "AP"})

#: USPS codes and names of the states (and DC) the clinic may be licensed in.
US_STATES: dict[str, str] = {
    code: name for code, name in STATE_NAMES.items() if code not in _NOT_LICENSING
}
