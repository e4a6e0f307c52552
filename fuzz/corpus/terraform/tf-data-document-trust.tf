# data "aws_iam_policy_document" used as a trust policy through .json: the extra service principal
# is found at its element of the identifiers list (PR002).
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type = "Service"
      identifiers = [
        "glue.amazonaws.com",
        "sagemaker.amazonaws.com",
      ]
    }
  }
}

resource "aws_iam_role" "etl" {
  name               = "etl"
  path               = "/data/"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_glue_job" "etl" {
  name     = "etl"
  role_arn = aws_iam_role.etl.arn
  command {
    script_location = "s3://etl-scripts-123456789012/etl.py"
  }
}
