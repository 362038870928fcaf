<?php
/**
 * Router for `php -S 127.0.0.1:PORT -t /usr/share/wordpress router.php` (the ClinicDesk test harness).
 *
 * PHP's built-in server ignores .htaccess, so this does what WordPress's rewrite rules would:
 * real files and folders under the document root are served as they are, `/wp-content/*` comes
 * from Debian's `/var/lib/wordpress/wp-content` (never executing PHP from there), and every other
 * path (pretty permalinks, `/wp-json/...`) goes to index.php.
 */

$clinicdesk_path = (string) parse_url( $_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH );
$clinicdesk_path = rawurldecode( $clinicdesk_path );

if ( str_starts_with( $clinicdesk_path, '/wp-content/' ) ) {
	$clinicdesk_root = '/var/lib/wordpress/wp-content';
	$clinicdesk_file = realpath( $clinicdesk_root . substr( $clinicdesk_path, strlen( '/wp-content' ) ) );
	if ( false === $clinicdesk_file || ! str_starts_with( $clinicdesk_file, $clinicdesk_root . '/' )
		|| ! is_file( $clinicdesk_file ) || preg_match( '/\.(php|phtml|phar)$/i', $clinicdesk_file ) ) {
		http_response_code( 404 );
		header( 'Content-Type: text/plain' );
		echo "Not found\n";
		return true;
	}
	// By extension first, as Apache's mime.types does: libmagic calls a stylesheet or a script
	// "text/plain", and browsers refuse a stylesheet served so (a theme or plugin would look
	// unstyled here and nowhere else).
	$clinicdesk_types = array(
		'css'   => 'text/css',
		'js'    => 'text/javascript',
		'mjs'   => 'text/javascript',
		'json'  => 'application/json',
		'svg'   => 'image/svg+xml',
		'woff'  => 'font/woff',
		'woff2' => 'font/woff2',
		'ttf'   => 'font/ttf',
		'map'   => 'application/json',
	);
	$clinicdesk_ext  = strtolower( pathinfo( $clinicdesk_file, PATHINFO_EXTENSION ) );
	$clinicdesk_type = $clinicdesk_types[ $clinicdesk_ext ] ?? mime_content_type( $clinicdesk_file );
	header( 'Content-Type: ' . ( $clinicdesk_type ? $clinicdesk_type : 'application/octet-stream' ) );
	header( 'Content-Length: ' . filesize( $clinicdesk_file ) );
	readfile( $clinicdesk_file );
	return true;
}

$clinicdesk_real = $_SERVER['DOCUMENT_ROOT'] . $clinicdesk_path;
if ( '/' !== $clinicdesk_path && ( is_file( $clinicdesk_real ) || is_dir( $clinicdesk_real ) ) ) {
	return false;
}

$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
