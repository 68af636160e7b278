package config

// listenKeys are the options of the listening socket, which --no-listen
// refuses.
var listenKeys = []string{keyPort, keyHost, keySSLKey, keySSLCrt, keyBalance}

// checkSocket checks the options of the listening socket together: with
// --no-listen, none of listenKeys may be given by a layer other than the
// defaults (env PORT aside: platforms set it for every container); and
// --ssl-key and --ssl-crt come both or neither.
func checkSocket(t *table, o *options, won map[string]source) error {
	if o.NoListen {
		for _, long := range listenKeys {
			if src, ok := won[long]; ok && !src.def && !isFallback(long, src) {
				return usageErrorf("%s cannot go with %s: with --no-listen workers get no listening socket; drop one of the two",
					named(t, long, src), named(t, keyNoListen, won[keyNoListen]))
			}
		}
	}
	if (o.SSLKey == "") != (o.SSLCrt == "") {
		have, lack := keySSLKey, keySSLCrt
		if o.SSLKey == "" {
			have, lack = lack, have
		}
		return usageErrorf("%s without --%s: TLS needs both --ssl-key and --ssl-crt; give both or neither",
			named(t, have, won[have]), lack)
	}
	return nil
}

// given reports whether a layer other than the defaults set option long.
func given(won map[string]source, long string) bool {
	src, ok := won[long]
	return ok && !src.def
}

// isFallback reports whether src is the foreign env var that option long
// falls back to (fallbackEnv), such as PORT.
func isFallback(long string, src source) bool {
	return src.env != "" && src.env == fallbackEnv[long]
}

// named names option long as src gave it, for a message about options that
// clash: "-p/--port", or "-p/--port (env var SPARK2_PORT)".
func named(t *table, long string, src source) string {
	if src.flag != "" {
		return src.flag
	}
	return t.byLong[long].flagName() + " (" + src.String() + ")"
}
