# A policy written as a plain quoted HCL string with escaped JSON: the finding is on the string's line.
resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}]}"
}
