# Webull request signature, written from the rule in the SDK's
# default_signature_composer: six signed header values; a query key equal
# to one of them is joined to it as header + "&" + query; sorted k=v
# joined with "&"; path first, body MD5 last; quote(safe=''); HMAC-SHA1
# keyed secret + "&", base64.
import hashlib, hmac, base64
from urllib.parse import quote
def sig(path, queries, app_key, ts, nonce, host, body, secret):
    p = {"x-app-key": app_key, "x-timestamp": ts, "x-signature-version": "1.0",
         "x-signature-algorithm": "HMAC-SHA1", "x-signature-nonce": nonce, "host": host}
    for k, v in queries:
        p[k] = p[k] + "&" + v if k in p else v
    s = path + "&" + "&".join(k + "=" + p[k] for k in sorted(p))
    if body:
        s += "&" + hashlib.md5(body.encode()).hexdigest().upper()
    enc = quote(s, safe='')
    return s, base64.b64encode(hmac.new((secret + "&").encode(), enc.encode(), hashlib.sha1).digest()).decode()
body = '{"k1":123,"k2":"this is the api request body","k3":true,"k4":{"foo":[1,2]}}'
args = ("/trade/place_order",)
common = ("776da210ab4a452795d74e726ebd74b6", "2022-01-04T03:55:31Z", "48ef5afed43d4d91ae514aaeafbc29ba", "api.webull.com", body, "0f50a2e853334a9aae1a783bee120c1f")
print(sig("/trade/place_order", [("a1","webull"),("a2","123"),("a3","xxx"),("q1","yyy")], *common))
print(sig("/trade/place_order", [("a1","webull"),("host","other.example"),("q1","yyy")], *common))
print(sig("/trade/place_order", [("a1","webull"),("x-app-key","k2"),("x-timestamp","t2")], *common))
print(sig("/trade/place_order", [("a1","webull"),("Host","other.example")], *common))
