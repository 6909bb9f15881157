// 节假日安排: show the file input with Chinese wording (the browser's own button speaks its UI language).
document.querySelectorAll(".hol-file").forEach(function (box) {
  var input = box.querySelector('input[type="file"]');
  var name = box.querySelector(".hol-file-name");
  if (!input || !name) return;
  box.classList.add("enhanced");
  input.addEventListener("change", function () {
    name.textContent = input.files && input.files.length ? input.files[0].name : "未选择文件";
  });
});
