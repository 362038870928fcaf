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
 *   note (off by default: clinics may have to keep records).
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
 * Registers the settings (on `init`, so that both wp-admin and the REST API know them).
 */
function clinicdesk_register_settings(): void {
	register_setting(
		'clinicdesk',
		'clinicdesk_consultation_rate',
		array(
			'type'              => 'string',
			'description'       => __( 'Consultation form submissions allowed per address, as COUNT/SECONDS.', 'clinicdesk' ),
			'sanitize_callback' => 'clinicdesk_sanitize_rate',
			'default'           => CLINICDESK_DEFAULT_RATE,
			'show_in_rest'      => true,
		)
	);
	register_setting(
		'clinicdesk',
		'clinicdesk_trusted_proxies',
		array(
			'type'              => 'string',
			'description'       => __( 'Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is trusted, one per line.', 'clinicdesk' ),
			'sanitize_callback' => 'clinicdesk_sanitize_proxies',
			'default'           => '',
			'show_in_rest'      => true,
		)
	);
	register_setting(
		'clinicdesk',
		'clinicdesk_editors_handle_inquiries',
		array(
			'type'              => 'boolean',
			'description'       => __( 'Editors can read, triage and delete inquiries.', 'clinicdesk' ),
			'sanitize_callback' => 'rest_sanitize_boolean',
			'default'           => true,
			'show_in_rest'      => true,
		)
	);
	register_setting(
		'clinicdesk',
		'clinicdesk_delete_data_on_uninstall',
		array(
			'type'              => 'boolean',
			'description'       => __( 'Delete all inquiry data when the plugin is deleted.', 'clinicdesk' ),
			'sanitize_callback' => 'rest_sanitize_boolean',
			'default'           => false,
			'show_in_rest'      => true,
		)
	);
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
