import React, {useEffect, useRef} from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

// A modal on the native <dialog>: showModal() makes the page behind it inert and gives Escape;
// this adds what the element leaves to us: a backdrop click closes, Tab wraps around inside, and
// focus goes back to where it was when the dialog closes (unless something else took it since).
export const Dialog: React.FC<{
	labelledBy: string;
	describedBy?: string;
	onClose: () => void;
	className?: string;
	children: React.ReactNode;
}> = ({labelledBy, describedBy, onClose, className, children}) => {
	const ref = useRef<HTMLDialogElement>(null);
	const close = useRef(onClose);
	useEffect(() => {
		close.current = onClose;
	}, [onClose]);

	useEffect(() => {
		const dialog = ref.current!;
		const opener = document.activeElement as HTMLElement | null;
		if (!dialog.open) dialog.showModal();
		const onCancel = (event: Event) => {
			event.preventDefault(); // React state decides when it is closed
			close.current();
		};
		dialog.addEventListener('cancel', onCancel);
		return () => {
			dialog.removeEventListener('cancel', onCancel);
			if (dialog.open) dialog.close();
			const focus = document.activeElement;
			if (opener?.isConnected && (!focus || focus === document.body || dialog.contains(focus))) opener.focus();
		};
	}, []);

	const onKeyDown = (event: React.KeyboardEvent<HTMLDialogElement>) => {
		if (event.key !== 'Tab') return;
		const items = Array.from(ref.current!.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
			(item) => !(item instanceof HTMLInputElement && item.type === 'radio' && !item.checked),
		);
		if (!items.length) return;
		const [first, last] = [items[0], items[items.length - 1]];
		if (event.shiftKey && document.activeElement === first) {
			event.preventDefault();
			last.focus();
		} else if (!event.shiftKey && document.activeElement === last) {
			event.preventDefault();
			first.focus();
		}
	};

	return (
		<dialog
			ref={ref}
			aria-labelledby={labelledBy}
			aria-describedby={describedBy}
			className={className}
			onKeyDown={onKeyDown}
			// The dialog box itself has no padding: a click on the element is a click on the backdrop.
			onClick={(event) => event.target === ref.current && close.current()}
		>
			<div className="dialog-body">{children}</div>
		</dialog>
	);
};
