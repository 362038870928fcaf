<?php
/**
 * Shared start of the harness's PHP steps: reads the step's input (a JSON file named on the command
 * line, so that nothing secret is in the process list), pretends to be a request to the test site
 * (Debian's wp-config.php picks /etc/wordpress/config-<host>.php from the Host header) and offers
 * a way to hand results back (a JSON file, mode 0600, never stdout).
 */

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}

$clinicdesk_input = json_decode( (string) file_get_contents( $argv[1] ?? '' ), true );
if ( ! is_array( $clinicdesk_input ) ) {
	fwrite( STDERR, "harness: unreadable step input\n" );
	exit( 2 );
}

$_SERVER['HTTP_HOST']       = '127.0.0.1:' . (int) $clinicdesk_input['port'];
$_SERVER['SERVER_NAME']     = '127.0.0.1';
$_SERVER['SERVER_PORT']     = (string) (int) $clinicdesk_input['port'];
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';

/**
 * Writes the step's result for the harness.
 *
 * @param array<string, mixed> $result The result.
 */
function clinicdesk_harness_output( array $result ): void {
	global $clinicdesk_input;
	$path = (string) $clinicdesk_input['output'];
	$old  = umask( 0077 );
	file_put_contents( $path, wp_json_encode( $result ) );
	umask( $old );
	chmod( $path, 0600 );
}

/**
 * Stops the step with a message (no secrets in it) and a failing exit status.
 *
 * @param string $message What went wrong.
 */
function clinicdesk_harness_fail( string $message ): void {
	fwrite( STDERR, 'harness: ' . $message . "\n" );
	exit( 1 );
}
