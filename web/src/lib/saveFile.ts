// Lets the browser save a file: the download URL answers with Content-Disposition: attachment,
// so following it saves the file without leaving the page.
export const saveFile = (url: string): void => {
	const link = document.createElement('a');
	link.href = url;
	link.rel = 'noopener';
	document.body.appendChild(link);
	link.click();
	link.remove();
};
