// Shows only the fields of the chosen schedule. Radios or a checkbox marked
// [data-schedule-choice] pick which [data-schedule-fields="<value>"] group
// is shown; the others are hidden and disabled, so they are not sent.
// Without this script every group shows and the server reads the chosen one.

for (const form of document.querySelectorAll("form")) {
  const choices = [...form.querySelectorAll("[data-schedule-choice]")];
  if (!choices.length) continue;
  const groups = form.querySelectorAll("[data-schedule-fields]");
  const update = () => {
    const chosen = choices.find((c) => c.checked)?.value ?? "";
    for (const g of groups) {
      const on = g.dataset.scheduleFields === chosen;
      g.hidden = !on;
      g.disabled = !on;
    }
  };
  for (const c of choices) c.addEventListener("change", update);
  update();
}
