// Package webull keeps a Webull OpenAPI access token alive: it signs
// requests the way Webull's OpenAPI expects, creates and checks tokens,
// walks the user through the 5-minute SMS verification in the Webull app,
// renews a verified token before it expires, and shares the verified token
// with the official Webull SDKs through their token.txt file.
package webull
