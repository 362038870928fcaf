/**
 * The "Consultation form" block in the editor: no build step (plain ES5 with WordPress's globals).
 * The form itself is drawn by the server (render_callback); the editor shows a placeholder and a
 * language setting.
 */
( function ( blocks, element, blockEditor, components, i18n ) {
	var el = element.createElement;
	var __ = i18n.__;

	blocks.registerBlockType( 'clinicdesk/consultation-form', {
		edit: function ( props ) {
			var lang = props.attributes.lang || '';
			return el(
				'div',
				blockEditor.useBlockProps( { className: 'clinicdesk-form-placeholder' } ),
				el(
					blockEditor.InspectorControls,
					null,
					el(
						components.PanelBody,
						{ title: __( 'Language', 'clinicdesk' ) },
						el( components.SelectControl, {
							label: __( 'Language of the form', 'clinicdesk' ),
							value: lang,
							options: [
								{ label: __( "The site's language", 'clinicdesk' ), value: '' },
								{ label: 'English', value: 'en' },
								{ label: 'Español', value: 'es' }
							],
							onChange: function ( value ) {
								props.setAttributes( { lang: value } );
							}
						} )
					)
				),
				el( components.Placeholder, {
					icon: 'feedback',
					label: __( 'Consultation form', 'clinicdesk' ),
					instructions: __( 'Visitors see the crisis notice and the consultation form here. Requests arrive in ClinicDesk.', 'clinicdesk' )
				} )
			);
		},
		save: function () {
			return null; // Drawn by the server.
		}
	} );
} )( window.wp.blocks, window.wp.element, window.wp.blockEditor, window.wp.components, window.wp.i18n );
