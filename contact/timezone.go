package contact

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone names are checked the same on hosts without a zoneinfo database
)

// MaxTimeZone bounds a time zone name (its column).
const MaxTimeZone = 64

// validZones caches the names CheckTimeZone accepted (a few hundred at
// most: only names the time zone database holds), so that an import of a
// million rows loads each zone once.
var validZones sync.Map

// CheckTimeZone refuses a name that is not an IANA time zone
// ("Europe/Paris"), or is "Local". "UTC" is one.
func CheckTimeZone(name string) error {
	if name == "" || len(name) > MaxTimeZone || name == "Local" {
		return fmt.Errorf("contact: %q is not an IANA time zone name such as Europe/Paris", clip(name))
	}
	if _, ok := validZones.Load(name); ok {
		return nil
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("contact: %q is not an IANA time zone name such as Europe/Paris", clip(name))
	}
	validZones.Store(name, struct{}{})
	return nil
}

// TimeZoneOf returns the IANA time zone of the country phone (E.164
// digits) belongs to, "" when its calling code is not in the table. A
// country with several zones gets the zone most of its people live in
// (see zoneByCode); the North American plan (+1) is told apart by area
// code for Canada's western provinces, Hawaii, Alaska and the Caribbean
// countries, and falls back to America/New_York (the eastern US, the
// zone of most of its numbers) otherwise.
func TimeZoneOf(phone string) string {
	phone = strings.TrimPrefix(phone, "+")
	if strings.HasPrefix(phone, "1") && len(phone) >= 4 {
		if z, ok := nanpZones[phone[1:4]]; ok {
			return z
		}
		return "America/New_York"
	}
	for n := 3; n >= 1; n-- { // calling codes are prefix-free: 3 digits at most
		if len(phone) > n {
			if z, ok := zoneByCode[phone[:n]]; ok {
				return z
			}
		}
	}
	return ""
}

// nanpZones maps North American area codes outside the US eastern zone
// that can be told by area code alone: the Caribbean and Atlantic
// countries of the plan, Hawaii, Alaska, the US territories in the
// Pacific and the western Canadian provinces. Other US area codes, which
// span four zones, fall back to America/New_York.
var nanpZones = map[string]string{
	// Caribbean and Atlantic countries and territories.
	"242": "America/Nassau", "246": "America/Barbados", "264": "America/Anguilla", "268": "America/Antigua",
	"284": "America/Tortola", "340": "America/St_Thomas", "345": "America/Cayman", "441": "Atlantic/Bermuda",
	"473": "America/Grenada", "649": "America/Grand_Turk", "658": "America/Jamaica", "664": "America/Montserrat",
	"721": "America/Lower_Princes", "758": "America/St_Lucia", "767": "America/Dominica", "784": "America/St_Vincent",
	"787": "America/Puerto_Rico", "939": "America/Puerto_Rico", "809": "America/Santo_Domingo",
	"829": "America/Santo_Domingo", "849": "America/Santo_Domingo", "868": "America/Port_of_Spain",
	"869": "America/St_Kitts", "876": "America/Jamaica",
	// Pacific US.
	"808": "Pacific/Honolulu", "907": "America/Anchorage", "671": "Pacific/Guam", "670": "Pacific/Saipan",
	"684": "Pacific/Pago_Pago",
	// Canada, west of Ontario and the Atlantic provinces.
	"204": "America/Winnipeg", "431": "America/Winnipeg", "306": "America/Regina", "639": "America/Regina",
	"403": "America/Edmonton", "587": "America/Edmonton", "780": "America/Edmonton", "825": "America/Edmonton",
	"236": "America/Vancouver", "250": "America/Vancouver", "604": "America/Vancouver", "672": "America/Vancouver",
	"778": "America/Vancouver", "867": "America/Whitehorse",
	"902": "America/Halifax", "782": "America/Halifax", "506": "America/Moncton", "709": "America/St_Johns",
}

// zoneByCode maps ITU calling codes (other than +1) to the IANA zone of
// the country, or of most of its people where it has several: Russia
// Europe/Moscow, Brazil America/Sao_Paulo, Mexico America/Mexico_City,
// Australia Australia/Sydney, Indonesia Asia/Jakarta, Kazakhstan
// Asia/Almaty, Argentina America/Argentina/Buenos_Aires, Chile
// America/Santiago, DR Congo Africa/Kinshasa, Mongolia Asia/Ulaanbaatar,
// Spain Europe/Madrid, Portugal Europe/Lisbon, Ecuador
// America/Guayaquil, New Zealand Pacific/Auckland, Kiribati
// Pacific/Tarawa, French Polynesia Pacific/Tahiti, Micronesia
// Pacific/Pohnpei. Codes shared by several countries (+7, +47, +262,
// +590, +599) take the larger one.
var zoneByCode = map[string]string{
	"7": "Europe/Moscow", "76": "Asia/Almaty", "77": "Asia/Almaty", "20": "Africa/Cairo", "27": "Africa/Johannesburg", "30": "Europe/Athens",
	"31": "Europe/Amsterdam", "32": "Europe/Brussels", "33": "Europe/Paris", "34": "Europe/Madrid",
	"36": "Europe/Budapest", "39": "Europe/Rome", "40": "Europe/Bucharest", "41": "Europe/Zurich",
	"43": "Europe/Vienna", "44": "Europe/London", "45": "Europe/Copenhagen", "46": "Europe/Stockholm",
	"47": "Europe/Oslo", "48": "Europe/Warsaw", "49": "Europe/Berlin", "51": "America/Lima",
	"52": "America/Mexico_City", "53": "America/Havana", "54": "America/Argentina/Buenos_Aires",
	"55": "America/Sao_Paulo", "56": "America/Santiago", "57": "America/Bogota", "58": "America/Caracas",
	"60": "Asia/Kuala_Lumpur", "61": "Australia/Sydney", "62": "Asia/Jakarta", "63": "Asia/Manila",
	"64": "Pacific/Auckland", "65": "Asia/Singapore", "66": "Asia/Bangkok", "81": "Asia/Tokyo",
	"82": "Asia/Seoul", "84": "Asia/Ho_Chi_Minh", "86": "Asia/Shanghai", "90": "Europe/Istanbul",
	"91": "Asia/Kolkata", "92": "Asia/Karachi", "93": "Asia/Kabul", "94": "Asia/Colombo", "95": "Asia/Yangon",
	"98": "Asia/Tehran", "211": "Africa/Juba",
	"212": "Africa/Casablanca", "213": "Africa/Algiers", "216": "Africa/Tunis",
	"218": "Africa/Tripoli", "220": "Africa/Banjul", "221": "Africa/Dakar", "222": "Africa/Nouakchott",
	"223": "Africa/Bamako", "224": "Africa/Conakry", "225": "Africa/Abidjan", "226": "Africa/Ouagadougou",
	"227": "Africa/Niamey", "228": "Africa/Lome", "229": "Africa/Porto-Novo", "230": "Indian/Mauritius",
	"231": "Africa/Monrovia", "232": "Africa/Freetown", "233": "Africa/Accra", "234": "Africa/Lagos",
	"235": "Africa/Ndjamena", "236": "Africa/Bangui", "237": "Africa/Douala", "238": "Atlantic/Cape_Verde",
	"239": "Africa/Sao_Tome", "240": "Africa/Malabo", "241": "Africa/Libreville", "242": "Africa/Brazzaville",
	"243": "Africa/Kinshasa", "244": "Africa/Luanda", "245": "Africa/Bissau", "246": "Indian/Chagos",
	"248": "Indian/Mahe", "249": "Africa/Khartoum", "250": "Africa/Kigali", "251": "Africa/Addis_Ababa",
	"252": "Africa/Mogadishu", "253": "Africa/Djibouti", "254": "Africa/Nairobi", "255": "Africa/Dar_es_Salaam",
	"256": "Africa/Kampala", "257": "Africa/Bujumbura", "258": "Africa/Maputo", "260": "Africa/Lusaka",
	"261": "Indian/Antananarivo", "262": "Indian/Reunion", "263": "Africa/Harare", "264": "Africa/Windhoek",
	"265": "Africa/Blantyre", "266": "Africa/Maseru", "267": "Africa/Gaborone", "268": "Africa/Mbabane",
	"269": "Indian/Comoro", "290": "Atlantic/St_Helena", "291": "Africa/Asmara", "297": "America/Aruba",
	"298": "Atlantic/Faroe", "299": "America/Nuuk",
	"350": "Europe/Gibraltar", "351": "Europe/Lisbon", "352": "Europe/Luxembourg", "353": "Europe/Dublin",
	"354": "Atlantic/Reykjavik", "355": "Europe/Tirane", "356": "Europe/Malta", "357": "Asia/Nicosia",
	"358": "Europe/Helsinki", "359": "Europe/Sofia", "370": "Europe/Vilnius", "371": "Europe/Riga",
	"372": "Europe/Tallinn", "373": "Europe/Chisinau", "374": "Asia/Yerevan", "375": "Europe/Minsk",
	"376": "Europe/Andorra", "377": "Europe/Monaco", "378": "Europe/San_Marino", "380": "Europe/Kyiv",
	"381": "Europe/Belgrade", "382": "Europe/Podgorica", "383": "Europe/Belgrade", "385": "Europe/Zagreb",
	"386": "Europe/Ljubljana", "387": "Europe/Sarajevo", "389": "Europe/Skopje", "420": "Europe/Prague",
	"421": "Europe/Bratislava", "423": "Europe/Vaduz",
	"500": "Atlantic/Stanley", "501": "America/Belize", "502": "America/Guatemala", "503": "America/El_Salvador",
	"504": "America/Tegucigalpa", "505": "America/Managua", "506": "America/Costa_Rica", "507": "America/Panama",
	"508": "America/Miquelon", "509": "America/Port-au-Prince", "590": "America/Guadeloupe", "591": "America/La_Paz",
	"592": "America/Guyana", "593": "America/Guayaquil", "594": "America/Cayenne", "595": "America/Asuncion",
	"596": "America/Martinique", "597": "America/Paramaribo", "598": "America/Montevideo", "599": "America/Curacao",
	"670": "Asia/Dili", "672": "Antarctica/Casey", "673": "Asia/Brunei", "674": "Pacific/Nauru",
	"675": "Pacific/Port_Moresby", "676": "Pacific/Tongatapu", "677": "Pacific/Guadalcanal", "678": "Pacific/Efate",
	"679": "Pacific/Fiji", "680": "Pacific/Palau", "681": "Pacific/Wallis", "682": "Pacific/Rarotonga",
	"683": "Pacific/Niue", "685": "Pacific/Apia", "686": "Pacific/Tarawa", "687": "Pacific/Noumea",
	"688": "Pacific/Funafuti", "689": "Pacific/Tahiti", "690": "Pacific/Fakaofo", "691": "Pacific/Pohnpei",
	"692": "Pacific/Majuro",
	"850": "Asia/Pyongyang", "852": "Asia/Hong_Kong", "853": "Asia/Macau", "855": "Asia/Phnom_Penh",
	"856": "Asia/Vientiane", "880": "Asia/Dhaka", "886": "Asia/Taipei",
	"960": "Indian/Maldives", "961": "Asia/Beirut", "962": "Asia/Amman", "963": "Asia/Damascus",
	"964": "Asia/Baghdad", "965": "Asia/Kuwait", "966": "Asia/Riyadh", "967": "Asia/Aden", "968": "Asia/Muscat",
	"970": "Asia/Gaza", "971": "Asia/Dubai", "972": "Asia/Jerusalem", "973": "Asia/Bahrain", "974": "Asia/Qatar",
	"975": "Asia/Thimphu", "976": "Asia/Ulaanbaatar", "977": "Asia/Kathmandu", "992": "Asia/Dushanbe",
	"993": "Asia/Ashgabat", "994": "Asia/Baku", "995": "Asia/Tbilisi", "996": "Asia/Bishkek", "998": "Asia/Tashkent",
}
