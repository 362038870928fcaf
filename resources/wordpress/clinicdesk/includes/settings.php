<?php
/**
 * Settings: registered with WordPress (Settings > ClinicDesk, and `wp/v2/settings` for
 * administrators), each sanitised on the way in.
 *
 * - `clinicdesk_consultation_rate`: the form's limit per address, "COUNT/SECONDS" (default 5/600);
 * - `clinicdesk_trusted_proxies`: addresses or CIDR ranges of the site's own reverse proxies or
 *   CDN, whose X-Forwarded-For is believed (nobody else's is);
 * - `clinicdesk_editors_handle_inquiries`: whether editors get the inquiry capabilities;
 * - `clinicdesk_delete_data_on_uninstall`: whether deleting the plugin deletes every inquiry and
 *   note (off by default: clinics may have to keep records);
 * - the consultation form's: `clinicdesk_states` (the USPS codes the clinic serves, default TX),
 *   `clinicdesk_insurers` and `clinicdesk_reasons` (one per line), `clinicdesk_notify_recipients`
 *   (email addresses, one per line; empty: the site's administration address),
 *   `clinicdesk_form_min_seconds`, and the editable texts `clinicdesk_{crisis,consent,confirmation}_text`
 *   with their Spanish `_es` versions (empty: the plugin's default, translated).
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sanitises the rate setting: "COUNT/SECONDS", else the default.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_rate( $value ): string {
	$value = is_scalar( $value ) ? trim( (string) $value ) : '';
	if ( preg_match( '#^(\d{1,6})\s*/\s*(\d{1,8})$#', $value, $match ) && (int) $match[2] >= 1 ) {
		return (int) $match[1] . '/' . (int) $match[2];
	}
	return CLINICDESK_DEFAULT_RATE;
}

/**
 * Sanitises the trusted proxies: one address or CIDR range per line (commas and spaces also
 * separate); anything that is neither is dropped.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_proxies( $value ): string {
	$value = is_scalar( $value ) ? (string) $value : '';
	$kept  = array();
	foreach ( preg_split( '/[\s,]+/', $value, -1, PREG_SPLIT_NO_EMPTY ) as $entry ) {
		if ( null !== clinicdesk_parse_cidr( $entry ) ) {
			$kept[] = $entry;
		}
	}
	return implode( "\n", array_unique( $kept ) );
}

/**
 * Sanitises the served states: USPS codes, separated by commas, spaces or lines; unknown ones are
 * dropped; nothing left means the default.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_states( $value ): string {
	$value = is_scalar( $value ) ? strtoupper( (string) $value ) : '';
	$codes = array_values( array_unique( array_intersect( preg_split( '/[\s,]+/', $value, -1, PREG_SPLIT_NO_EMPTY ), CLINICDESK_STATES ) ) );
	return $codes ? implode( ', ', $codes ) : CLINICDESK_DEFAULT_STATES;
}

/**
 * Sanitises a list setting: one entry per line, each a clean line of at most 100 characters.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_lines( $value ): string {
	$value = is_scalar( $value ) ? (string) $value : '';
	$kept  = array();
	foreach ( explode( "\n", str_replace( "\r", "\n", $value ) ) as $line ) {
		$line = mb_substr( clinicdesk_sanitize_line( $line ), 0, 100 );
		if ( '' !== $line ) {
			$kept[] = $line;
		}
	}
	return implode( "\n", array_unique( $kept ) );
}

/**
 * Sanitises the notification recipients: valid email addresses, one per line.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_recipients( $value ): string {
	$value = is_scalar( $value ) ? (string) $value : '';
	$kept  = array();
	foreach ( preg_split( '/[\s,;]+/', $value, -1, PREG_SPLIT_NO_EMPTY ) as $address ) {
		$address = sanitize_email( $address );
		if ( '' !== $address && is_email( $address ) ) {
			$kept[] = $address;
		}
	}
	return implode( "\n", array_unique( $kept ) );
}

/**
 * Sanitises the minimum seconds before the form may be sent: 0 to 60.
 *
 * @param mixed $value The submitted value.
 */
function clinicdesk_sanitize_min_seconds( $value ): int {
	return is_numeric( $value ) ? max( 0, min( 60, (int) $value ) ) : CLINICDESK_DEFAULT_MIN_SECONDS;
}

/**
 * The plugin's settings: option name => (type, sanitiser, default, description).
 *
 * @return array<string, array{0: string, 1: callable-string, 2: mixed, 3: string}>
 */
function clinicdesk_settings(): array {
	$settings = array(
		'clinicdesk_consultation_rate'        => array( 'string', 'clinicdesk_sanitize_rate', CLINICDESK_DEFAULT_RATE, __( 'Consultation form submissions allowed per address, as COUNT/SECONDS.', 'clinicdesk' ) ),
		'clinicdesk_trusted_proxies'          => array( 'string', 'clinicdesk_sanitize_proxies', '', __( 'Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is trusted, one per line.', 'clinicdesk' ) ),
		'clinicdesk_editors_handle_inquiries' => array( 'boolean', 'rest_sanitize_boolean', true, __( 'Editors can read, triage and delete inquiries.', 'clinicdesk' ) ),
		'clinicdesk_delete_data_on_uninstall' => array( 'boolean', 'rest_sanitize_boolean', false, __( 'Delete all inquiry data when the plugin is deleted.', 'clinicdesk' ) ),
		// The consultation form's.
		'clinicdesk_states'                   => array( 'string', 'clinicdesk_sanitize_states', CLINICDESK_DEFAULT_STATES, __( 'The states the clinic serves (USPS codes).', 'clinicdesk' ) ),
		'clinicdesk_insurers'                 => array( 'string', 'clinicdesk_sanitize_lines', CLINICDESK_DEFAULT_INSURERS, __( 'The insurers the form offers, one per line.', 'clinicdesk' ) ),
		'clinicdesk_reasons'                  => array( 'string', 'clinicdesk_sanitize_lines', CLINICDESK_DEFAULT_REASONS, __( 'The reasons the form offers, one per line.', 'clinicdesk' ) ),
		'clinicdesk_notify_recipients'        => array( 'string', 'clinicdesk_sanitize_recipients', '', __( 'Who is emailed when a request arrives, one address per line.', 'clinicdesk' ) ),
		'clinicdesk_form_min_seconds'         => array( 'integer', 'clinicdesk_sanitize_min_seconds', CLINICDESK_DEFAULT_MIN_SECONDS, __( 'Requests sent sooner than this many seconds after the form opened are refused.', 'clinicdesk' ) ),
	);
	foreach ( array( 'crisis', 'consent', 'confirmation' ) as $text ) {
		foreach ( array( '', '_es' ) as $suffix ) {
			$settings[ 'clinicdesk_' . $text . '_text' . $suffix ] = array( 'string', 'sanitize_textarea_field', '', __( 'An editable text of the form (empty: the default).', 'clinicdesk' ) );
		}
	}
	return $settings;
}

/**
 * Registers the settings (on `init`, so that both wp-admin, Settings > ClinicDesk, and the REST
 * API, `wp/v2/settings`, know them).
 */
function clinicdesk_register_settings(): void {
	foreach ( clinicdesk_settings() as $name => $setting ) {
		register_setting(
			'clinicdesk',
			$name,
			array(
				'type'              => $setting[0],
				'description'       => $setting[3],
				'sanitize_callback' => $setting[1],
				'default'           => $setting[2],
				'show_in_rest'      => true,
			)
		);
	}
}
add_action( 'init', 'clinicdesk_register_settings' );

/**
 * Adds Settings > ClinicDesk (administrators only).
 */
function clinicdesk_settings_menu(): void {
	add_options_page(
		__( 'ClinicDesk', 'clinicdesk' ),
		__( 'ClinicDesk', 'clinicdesk' ),
		'manage_options',
		'clinicdesk',
		'clinicdesk_render_settings'
	);
}
add_action( 'admin_menu', 'clinicdesk_settings_menu' );

/**
 * The settings page. The form posts to options.php, which checks the nonce settings_fields()
 * writes and the `manage_options` capability, and runs each setting's sanitize_callback.
 */
function clinicdesk_render_settings(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$rate    = (string) get_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
	$proxies = (string) get_option( 'clinicdesk_trusted_proxies', '' );
	$editors = rest_sanitize_boolean( get_option( 'clinicdesk_editors_handle_inquiries', true ) );
	$delete  = rest_sanitize_boolean( get_option( 'clinicdesk_delete_data_on_uninstall', false ) );
	?>
	<div class="wrap">
		<h1><?php echo esc_html__( 'ClinicDesk', 'clinicdesk' ); ?></h1>
		<form method="post" action="options.php">
			<?php settings_fields( 'clinicdesk' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="clinicdesk_consultation_rate"><?php echo esc_html__( 'Form rate limit', 'clinicdesk' ); ?></label></th>
					<td>
						<input type="text" id="clinicdesk_consultation_rate" name="clinicdesk_consultation_rate" value="<?php echo esc_attr( $rate ); ?>" class="regular-text" />
						<p class="description"><?php echo esc_html__( 'Submissions allowed from one address (IPv6: one /64 network), as COUNT/SECONDS, for example 5/600.', 'clinicdesk' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="clinicdesk_trusted_proxies"><?php echo esc_html__( 'Trusted proxies', 'clinicdesk' ); ?></label></th>
					<td>
						<textarea id="clinicdesk_trusted_proxies" name="clinicdesk_trusted_proxies" rows="4" class="large-text code"><?php echo esc_textarea( $proxies ); ?></textarea>
						<p class="description"><?php echo esc_html__( 'Only if the site is behind a reverse proxy or CDN: its addresses or ranges (such as 10.0.0.0/8), one per line. Their X-Forwarded-For header is used as the visitor\'s address; nobody else\'s is.', 'clinicdesk' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="clinicdesk_states"><?php echo esc_html__( 'States served', 'clinicdesk' ); ?></label></th>
					<td>
						<input type="text" id="clinicdesk_states" name="clinicdesk_states" value="<?php echo esc_attr( (string) get_option( 'clinicdesk_states', CLINICDESK_DEFAULT_STATES ) ); ?>" class="regular-text" />
						<p class="description"><?php echo esc_html__( 'Two-letter codes, separated by commas, for example TX, OK. The form lists these states, and ClinicDesk flags requests from anywhere else.', 'clinicdesk' ); ?></p>
					</td>
				</tr>
				<?php
				$clinicdesk_lists = array(
					'clinicdesk_insurers'          => array( __( 'Insurers', 'clinicdesk' ), CLINICDESK_DEFAULT_INSURERS, __( 'One per line. The form adds "Other or none".', 'clinicdesk' ) ),
					'clinicdesk_reasons'           => array( __( 'Reasons', 'clinicdesk' ), CLINICDESK_DEFAULT_REASONS, __( 'One per line. The form adds "Something else".', 'clinicdesk' ) ),
					'clinicdesk_notify_recipients' => array( __( 'Notify', 'clinicdesk' ), '', __( 'Email addresses told that a new request arrived, one per line (empty: the site\'s administration address). The email holds no detail of the request.', 'clinicdesk' ) ),
				);
				foreach ( array( 'crisis', 'consent', 'confirmation' ) as $clinicdesk_text ) {
					$clinicdesk_names = array(
						'crisis'       => __( 'Crisis notice', 'clinicdesk' ),
						'consent'      => __( 'Consent text', 'clinicdesk' ),
						'confirmation' => __( 'Confirmation text', 'clinicdesk' ),
					);
					$clinicdesk_lists[ 'clinicdesk_' . $clinicdesk_text . '_text' ]    = array( $clinicdesk_names[ $clinicdesk_text ] . ' (English)', '', __( 'Empty: the default text.', 'clinicdesk' ) );
					$clinicdesk_lists[ 'clinicdesk_' . $clinicdesk_text . '_text_es' ] = array( $clinicdesk_names[ $clinicdesk_text ] . ' (Español)', '', __( 'Empty: the default text.', 'clinicdesk' ) );
				}
				foreach ( $clinicdesk_lists as $clinicdesk_option => $clinicdesk_row ) :
					?>
				<tr>
					<th scope="row"><label for="<?php echo esc_attr( $clinicdesk_option ); ?>"><?php echo esc_html( $clinicdesk_row[0] ); ?></label></th>
					<td>
						<textarea id="<?php echo esc_attr( $clinicdesk_option ); ?>" name="<?php echo esc_attr( $clinicdesk_option ); ?>" rows="4" class="large-text"><?php echo esc_textarea( (string) get_option( $clinicdesk_option, $clinicdesk_row[1] ) ); ?></textarea>
						<p class="description"><?php echo esc_html( $clinicdesk_row[2] ); ?></p>
					</td>
				</tr>
				<?php endforeach; ?>
				<tr>
					<th scope="row"><label for="clinicdesk_form_min_seconds"><?php echo esc_html__( 'Minimum time', 'clinicdesk' ); ?></label></th>
					<td>
						<input type="number" min="0" max="60" id="clinicdesk_form_min_seconds" name="clinicdesk_form_min_seconds" value="<?php echo esc_attr( (string) clinicdesk_form_min_seconds() ); ?>" class="small-text" />
						<p class="description"><?php echo esc_html__( 'Seconds a person needs at least between opening the form and sending it; quicker requests are refused as automated.', 'clinicdesk' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><?php echo esc_html__( 'Editors', 'clinicdesk' ); ?></th>
					<td>
						<input type="hidden" name="clinicdesk_editors_handle_inquiries" value="0" />
						<label><input type="checkbox" name="clinicdesk_editors_handle_inquiries" value="1" <?php checked( $editors ); ?> /> <?php echo esc_html__( 'Editors handle inquiries (read, triage and delete them)', 'clinicdesk' ); ?></label>
					</td>
				</tr>
				<tr>
					<th scope="row"><?php echo esc_html__( 'Uninstall', 'clinicdesk' ); ?></th>
					<td>
						<input type="hidden" name="clinicdesk_delete_data_on_uninstall" value="0" />
						<label><input type="checkbox" name="clinicdesk_delete_data_on_uninstall" value="1" <?php checked( $delete ); ?> /> <?php echo esc_html__( 'Delete all inquiry data when the plugin is deleted', 'clinicdesk' ); ?></label>
						<p class="description"><?php echo esc_html__( 'Off by default: a clinic may have to keep its records. When on, deleting the plugin deletes every inquiry and every note for good.', 'clinicdesk' ); ?></p>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
	</div>
	<?php
}
